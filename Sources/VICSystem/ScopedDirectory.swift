import CVICSystem
import Glibc
import VICCore

/// A directory that paths are resolved inside of as if it were `/`: `..`, absolute paths and
/// symbolic links, absolute or relative, cannot lead out of it, even when what is inside
/// changes while it is used (openat2's RESOLVE_IN_ROOT, Linux 5.6). For reading and writing a
/// container's files from the host (`docker cp`), where the container may be running and may
/// plant links. Every path given is relative to the root; a leading "/" is allowed.
///
/// Invariant: the root's descriptor stays open until the value is freed, so a root that is
/// unmounted (lazily) meanwhile stays usable. Privilege: whatever the files need.
public final class ScopedDirectory: Sendable {
    /// O_PATH: a descriptor that only names a file, for `open(_:flags:)` and `openParent`.
    public static let pathOnly: Int32 = cvic_o_path()

    /// The root's path on the host, as given.
    public let path: String
    let fd: Int32

    /// Opens `path` as the root. Throws `.notFound` when it is not a directory.
    public init(path: String) throws {
        let fd = Glibc.open(path, ScopedDirectory.pathOnly | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ScopedDirectory.error(errno, "open \(path)") }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// `path` cleaned as Go's `filepath.Clean` does, as components: no empty parts, no ".", and
    /// ".." taken lexically (".." at the root stays at the root). The root itself is [].
    public static func components(_ path: String) -> [String] {
        var parts: [String] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." {
                _ = parts.popLast()
            } else {
                parts.append(String(part))
            }
        }
        return parts
    }

    /// Opens `path`, following links inside the root. `flags` as for open(2); O_CLOEXEC is
    /// added. Throws `.notFound` for ENOENT and ENOTDIR, `.internal` otherwise. The caller
    /// closes the descriptor.
    public func open(_ path: String, flags: Int32, mode: mode_t = 0) throws -> Int32 {
        let relative = ScopedDirectory.components(path).joined(separator: "/")
        let result = cvic_open_in_root(fd, relative.isEmpty ? "." : relative, flags, mode)
        guard result >= 0 else { throw ScopedDirectory.error(errno, "open /\(relative)") }
        return result
    }

    /// The contents of the regular file at `path` (links followed inside the root), at most
    /// `limit` bytes. Throws `.notFound` when it is missing, `.internal` when it cannot be read.
    public func read(_ path: String, limit: Int = 1 << 20) throws -> [UInt8] {
        let opened = try open(path, flags: O_RDONLY | O_NONBLOCK)
        defer { close(opened) }
        var info = stat()
        guard fstat(opened, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw VICError(.internal, "read \(path): not a regular file")
        }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while data.count < limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(opened, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw ScopedDirectory.error(errno, "read \(path)") }
            if count == 0 { break }
            data += chunk[..<count]
        }
        return Array(data.prefix(limit))
    }

    /// The parent of `path`'s last component, opened O_PATH as a directory (links followed
    /// inside the root), and that component; nil for the root itself. The caller closes it.
    public func openParent(_ path: String) throws -> (fd: Int32, name: String)? {
        let parts = ScopedDirectory.components(path)
        guard let name = parts.last else { return nil }
        let parent = try open(parts.dropLast().joined(separator: "/"), flags: ScopedDirectory.pathOnly | O_DIRECTORY)
        return (parent, name)
    }

    /// Where `path` leads inside the root when every link on it is followed there: an absolute
    /// path seen from the root ("/" for the root).
    public func resolve(_ path: String) throws -> String {
        let opened = try open(path, flags: ScopedDirectory.pathOnly)
        defer { close(opened) }
        return try within(descriptor: opened)
    }

    /// The path, seen from the root, of a descriptor opened through this root.
    public func within(descriptor: Int32) throws -> String {
        let host = try ScopedDirectory.hostPath(of: descriptor)
        let root = try ScopedDirectory.hostPath(of: fd)
        if host == root { return "/" }
        let prefix = root == "/" ? "/" : root + "/"
        guard host.hasPrefix(prefix) else {
            throw VICError(.internal, "\(host) is not inside \(root)")
        }
        return "/" + host.dropFirst(prefix.count)
    }

    /// The host path of an open descriptor, as /proc/self/fd shows it.
    static func hostPath(of descriptor: Int32) throws -> String {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = buffer.withUnsafeMutableBytes { bytes in
            guard let base = bytes.baseAddress else { return -1 }
            return readlink("/proc/self/fd/\(descriptor)", base.assumingMemoryBound(to: CChar.self), bytes.count - 1)
        }
        guard count > 0 else { throw ScopedDirectory.error(errno, "read the path of descriptor \(descriptor)") }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    /// The error for a failed call on a path inside the root: `.notFound` for ENOENT and
    /// ENOTDIR (a path that is not there), `.internal` otherwise, with strerror's words.
    public static func error(_ number: Int32, _ operation: String) -> VICError {
        let code: VICError.Code = number == ENOENT || number == ENOTDIR ? .notFound : .internal
        return VICError(code, "\(operation): \(String(cString: strerror(number)))")
    }
}
