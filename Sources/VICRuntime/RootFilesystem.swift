import Foundation
import VICCore
import VICSystem

/// A container's root file system: an overlayfs of its image's unpacked layers (read-only) and
/// its own upper directory. No image data is copied. Privilege: root (mount).
public struct RootFilesystem: Sendable {
    /// The container's directory; rootfs/, upper/ and work/ live inside it.
    public let directory: String
    /// Unpacked layer directories, bottom first.
    public let layers: [String]

    public init(directory: String, layers: [String]) {
        self.directory = directory
        self.layers = layers
    }

    public var mountPoint: String { "\(directory)/rootfs" }

    public var isMounted: Bool { RootFilesystem.mountPoints().contains(mountPoint) }

    /// Mounts the overlay (idempotent).
    public func mount() throws {
        guard !isMounted else { return }
        for name in ["rootfs", "upper", "work"] {
            let path = "\(directory)/\(name)"
            if Glibc.mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw VICError(.internal, "mkdir \(path): \(String(cString: strerror(errno)))")
            }
        }
        // overlayfs wants the topmost lower layer first.
        let lower = layers.reversed().joined(separator: ":")
        let options = "lowerdir=\(lower),upperdir=\(directory)/upper,workdir=\(directory)/work"
        guard Glibc.mount("overlay", mountPoint, "overlay", 0, options) == 0 else {
            throw VICError(.internal, "mount overlay on \(mountPoint): \(String(cString: strerror(errno)))")
        }
    }

    /// Unmounts it; not mounted is not an error.
    public func unmount() throws {
        guard isMounted else { return }
        guard umount2(mountPoint, Int32(MNT_DETACH)) == 0 || errno == EINVAL || errno == ENOENT else {
            throw VICError(.internal, "unmount \(mountPoint): \(String(cString: strerror(errno)))")
        }
    }

    /// Mounts a read-only view of the container's files at `path` (made if missing): the
    /// upper directory as the topmost lower layer of an overlay with no upper, so the upper's
    /// whiteouts hide what the container deleted. Nothing is mounted, and the only directory is
    /// returned, when there is a single one; else returns `path`. Unmount it with
    /// `unmountView(at:)`. Privilege: CAP_SYS_ADMIN.
    public func mountReadOnlyView(at path: String) throws -> String {
        let upper = "\(directory)/upper"
        let directories = (FileManager.default.fileExists(atPath: upper) ? [upper] : []) + layers.reversed()
        guard directories.count > 1 else { return directories.first ?? path }
        if Glibc.mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw VICError(.internal, "mkdir \(path): \(String(cString: strerror(errno)))")
        }
        let options = "lowerdir=" + directories.joined(separator: ":")
        guard Glibc.mount("overlay", path, "overlay", UInt(MS_RDONLY), options) == 0 else {
            let reason = String(cString: strerror(errno))
            rmdir(path)
            throw VICError(.internal, "mount a read-only view on \(path): \(reason)")
        }
        return path
    }

    /// Undoes `mountReadOnlyView(at:)`: lazily unmounts `path` and removes the directory.
    public static func unmountView(at path: String) {
        umount2(path, Int32(MNT_DETACH))
        rmdir(path)
    }

    static func mountPoints() -> Set<String> {
        guard let text = FileSystem.readKernelFile("/proc/self/mounts") else { return [] }
        return Set(text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count > 1 ? String(fields[1]).replacingOccurrences(of: "\\040", with: " ") : nil
        })
    }
}
