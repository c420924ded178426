import Crypto
import Foundation
import VICCore
import VICSystem

/// Unpacks one image layer (a tar stream) into an empty directory, for use as an overlayfs
/// lower layer. OCI whiteouts become overlayfs whiteouts: `.wh.NAME` a 0/0 character device
/// NAME, `.wh..wh..opq` the `trusted.overlay.opaque=y` attribute on its directory.
///
/// Safety: no entry may leave the directory: `..` components are refused, and so is any path
/// whose parent inside the layer is a symbolic link. Privilege: root (devices, ownership, the
/// trusted.* attribute).
public struct LayerUnpacker {
    /// The directory the layer is unpacked into; it should start empty.
    public let root: String

    /// An unpacker for `root`; nothing is touched until `unpack(_:)`.
    public init(root: String) { self.root = root }

    /// Counts of what one `unpack(_:)` wrote.
    public struct Summary: Sendable, Equatable {
        /// Entries processed, whiteouts included.
        public var entries = 0
        /// Bytes of regular-file contents written.
        public var bytes = 0
        /// Whiteouts and opaque markers turned into overlayfs form.
        public var whiteouts = 0
    }

    /// Unpacks every entry of the tar `source` under `root`, replacing what earlier entries wrote,
    /// and applies ownership, modes, xattrs and times (directories last). Throws `.invalidArgument`
    /// for an entry that would escape `root` and `.internal` for a failed syscall, leaving a partial
    /// tree for the caller to discard. Needs root (mknod, chown, `trusted.*` xattrs).
    public func unpack<Source: ByteSource>(_ source: Source) throws -> Summary {
        var reader = TarReader(source)
        var summary = Summary()
        var directories: [(String, TarEntry)] = []
        while let entry = try reader.next() {
            guard let components = LayerUnpacker.components(entry.path) else {
                throw VICError(.invalidArgument, "layer entry \(entry.path) escapes the layer")
            }
            if components.isEmpty { continue }  // "./" itself
            let parent = try ensureParents(components.dropLast())
            let name = components[components.count - 1]
            summary.entries += 1
            if name == ".wh..wh..opq" {
                try check(FileSystem.setAttribute(parent, name: "trusted.overlay.opaque", value: Array("y".utf8)), "mark \(parent) opaque")
                summary.whiteouts += 1
                continue
            }
            if name.hasPrefix(".wh.") {
                let target = parent + "/" + name.dropFirst(4)
                try removeExisting(target)
                try check(mknod(target, S_IFCHR | 0o000, 0), "whiteout \(target)")
                summary.whiteouts += 1
                continue
            }
            let path = parent + "/" + name
            switch entry.kind {
            case .directory:
                var info = stat()
                if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFDIR { try removeExisting(path) }
                if mkdir(path, 0o700) != 0 && errno != EEXIST { try check(-1, "mkdir \(path)") }
                directories.append((path, entry))
                continue
            case .file:
                try removeExisting(path)
                summary.bytes += try writeFile(path, entry: entry, reader: &reader)
            case .symbolicLink:
                try removeExisting(path)
                try check(symlink(entry.linkTarget, path), "symlink \(path)")
            case .hardLink:
                guard let target = LayerUnpacker.components(entry.linkTarget), !target.isEmpty else {
                    throw VICError(.invalidArgument, "layer hard link \(entry.path) escapes the layer")
                }
                let targetPath = root + "/" + target.joined(separator: "/")
                try removeExisting(path)
                try check(link(targetPath, path), "hard link \(path)")
                continue
            case .characterDevice, .blockDevice, .fifo:
                try removeExisting(path)
                let type: mode_t = entry.kind == .fifo ? S_IFIFO : entry.kind == .blockDevice ? S_IFBLK : S_IFCHR
                let device = FileSystem.device(major: entry.deviceMajor, minor: entry.deviceMinor)
                try check(mknod(path, type | mode_t(entry.mode & 0o7777), device), "mknod \(path)")
            }
            try applyMetadata(path, entry: entry)
        }
        // Directories last, deepest first, so their times and modes survive their contents.
        for (path, entry) in directories.reversed() { try applyMetadata(path, entry: entry) }
        return summary
    }

    /// Path components relative to the layer root, or nil when the path climbs out of it.
    static func components(_ path: String) -> [String]? {
        var parts: [String] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." { return nil }
            parts.append(String(part))
        }
        return parts
    }

    /// Creates missing parent directories (0755) and refuses parents that are symbolic links.
    func ensureParents(_ components: ArraySlice<String>) throws -> String {
        var path = root
        for component in components {
            path += "/" + component
            var info = stat()
            if lstat(path, &info) == 0 {
                guard (info.st_mode & S_IFMT) == S_IFDIR else {
                    throw VICError(.invalidArgument, "layer path \(path) goes through a non-directory")
                }
            } else {
                try check(mkdir(path, 0o755), "mkdir \(path)")
            }
        }
        return path
    }

    func removeExisting(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            do { try FileManager.default.removeItem(atPath: path) } catch {
                throw VICError.wrapping(error, "replace \(path)")
            }
        } else {
            try check(unlink(path), "replace \(path)")
        }
    }

    func writeFile<Source: ByteSource>(_ path: String, entry: TarEntry, reader: inout TarReader<Source>) throws -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        try check(fd, "create \(path)")
        defer { close(fd) }
        var written = 0
        while true {
            let chunk = try reader.readContents(upTo: 256 * 1024)
            if chunk.isEmpty { break }
            try chunk.withUnsafeBytes { try FileSystem.writeAll(fd, $0, operation: "write \(path)") }
            written += chunk.count
        }
        return written
    }

    /// Ownership, mode, extended attributes and modification time, without following links.
    func applyMetadata(_ path: String, entry: TarEntry) throws {
        try check(lchown(path, uid_t(clamping: entry.uid), gid_t(clamping: entry.gid)), "chown \(path)")
        for (name, value) in entry.xattrs {
            FileSystem.setAttribute(path, name: name, value: value)
        }
        if entry.kind != .symbolicLink {
            try check(chmod(path, mode_t(entry.mode & 0o7777)), "chmod \(path)")
        }
        let time = timespec(tv_sec: entry.modificationTime, tv_nsec: 0)
        var times = [time, time]
        _ = utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
    }

    func check(_ result: Int32, _ operation: String) throws {
        if result < 0 {
            let number = errno
            throw VICError(.internal, "\(operation): \(String(cString: strerror(number)))")
        }
    }
}

/// Passes bytes through while computing their SHA-256, to verify digests while streaming.
/// A class, so the reader that consumes it and the caller that asks for the digest share it.
public final class HashingByteSource<Upstream: ByteSource>: ByteSource {
    var upstream: Upstream
    public private(set) var hasher = SHA256()
    public private(set) var count = 0

    /// Wraps `upstream`; the digest covers only what is read through this source.
    public init(_ upstream: Upstream) { self.upstream = upstream }

    /// Reads from the upstream source and adds the bytes to the hash and the count.
    public func read(upTo count: Int) throws -> [UInt8] {
        let bytes = try upstream.read(upTo: count)
        hasher.update(data: bytes)
        self.count += bytes.count
        return bytes
    }

    /// "sha256:<hex>" of everything read so far.
    public var digest: String {
        "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
