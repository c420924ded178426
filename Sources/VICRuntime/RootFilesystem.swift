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

    static func mountPoints() -> Set<String> {
        guard let text = FileSystem.readKernelFile("/proc/self/mounts") else { return [] }
        return Set(text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count > 1 ? String(fields[1]).replacingOccurrences(of: "\\040", with: " ") : nil
        })
    }
}
