import Foundation
import Glibc
import VICCore
import VICSystem

/// Docker's `ContainerPathStat`, sent base64-encoded as JSON in the
/// `X-Docker-Container-Path-Stat` header of `HEAD` and `GET /containers/{id}/archive`.
struct ContainerPathStat: Codable, Equatable {
    /// The path's last component as Go's `filepath.Base` gives it ("." for "dir/.").
    var name: String
    var size: Int64
    /// Go's `os.FileMode`: permission bits and Go's own type bits, not st_mode's.
    var mode: UInt32
    /// RFC 3339 with nanoseconds, UTC.
    var mtime: String
    /// For a link, where it leads inside the container when followed there (absolute).
    var linkTarget: String

    /// The stat of `name`, `path`'s last component, in the open directory `parent` (inside
    /// `root`), not following a link there; a link's target is resolved inside `root`. Throws
    /// `.notFound` with dockerd's words.
    static func of(_ path: String, name: String, parent: Int32, root: ScopedDirectory, container: String) throws -> ContainerPathStat {
        var info = stat()
        guard fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            let error = ScopedDirectory.error(errno, "stat \(path)")
            throw error.code == .notFound ? VICError(.notFound, "Could not find the file \(path) in container \(container)") : error
        }
        var linkTarget = ""
        if info.st_mode & S_IFMT == S_IFLNK {
            linkTarget = (try? root.resolve(path)) ?? danglingTarget(path, in: root)
        }
        return ContainerPathStat(name: base(path), info: info, linkTarget: linkTarget)
    }

    /// The stat of an open descriptor (the directory a path ending in "/" or "/." leads to),
    /// named after `path`.
    static func of(_ path: String, descriptor: Int32) throws -> ContainerPathStat {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw VICError(.internal, "stat \(path): \(String(cString: strerror(errno)))") }
        return ContainerPathStat(name: base(path), info: info, linkTarget: "")
    }

    /// The stat of a file on the host (one bind-mounted into the container), named `name`.
    static func of(hostFile: String, name: String) throws -> ContainerPathStat {
        var info = stat()
        guard lstat(hostFile, &info) == 0 else {
            throw VICError(.internal, "stat \(hostFile): \(String(cString: strerror(errno)))")
        }
        return ContainerPathStat(name: name, info: info, linkTarget: "")
    }

    init(name: String, size: Int64, mode: UInt32, mtime: String, linkTarget: String) {
        (self.name, self.size, self.mode, self.mtime, self.linkTarget) = (name, size, mode, mtime, linkTarget)
    }

    init(name: String, info: stat, linkTarget: String) {
        let time = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
        self.init(name: name, size: Int64(info.st_size), mode: ContainerPathStat.goFileMode(info.st_mode),
                  mtime: RFC3339.nano(time), linkTarget: linkTarget)
    }

    /// The header's value: the JSON, base64 (standard alphabet, padded).
    func headerValue() throws -> String {
        do { return try JSONEncoder().encode(self).base64EncodedString() } catch {
            throw VICError(.internal, "encode the path's stat", underlying: error)
        }
    }

    /// Whether a path asks for what its last component leads to: it ends in "/" or "/.".
    static func followsLast(_ path: String) -> Bool {
        path.hasSuffix("/") || path.hasSuffix("/.") || path == "."
    }

    /// Go's `filepath.Base`: the last element, trailing slashes dropped; "/" for only slashes.
    static func base(_ path: String) -> String {
        if path.isEmpty { return "." }
        guard let last = path.split(separator: "/").last else { return "/" }
        return String(last)
    }

    /// st_mode as Go's `os.FileMode`.
    static func goFileMode(_ mode: mode_t) -> UInt32 {
        var result = UInt32(mode & 0o777)
        switch mode & S_IFMT {
        case S_IFDIR: result |= 1 << 31
        case S_IFLNK: result |= 1 << 27
        case S_IFIFO: result |= 1 << 25
        case S_IFSOCK: result |= 1 << 24
        case S_IFBLK: result |= 1 << 26
        case S_IFCHR: result |= 1 << 26 | 1 << 21
        default: break
        }
        if mode & S_ISUID != 0 { result |= 1 << 23 }
        if mode & S_ISGID != 0 { result |= 1 << 22 }
        if mode & S_ISVTX != 0 { result |= 1 << 20 }
        return result
    }

    /// Runs `body`, turning `.notFound` into dockerd's "Could not find the file …" (404).
    static func notFoundAsFileError<T>(_ path: String, _ container: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as VICError where error.code == .notFound {
            throw VICError(.notFound, "Could not find the file \(path) in container \(container)")
        }
    }

    /// Where a link that leads nowhere would lead: its text taken from its directory, cleaned.
    static func danglingTarget(_ path: String, in root: ScopedDirectory) -> String {
        guard let (parent, name) = try? root.openParent(path) else { return "" }
        defer { close(parent) }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(parent, name, &buffer, buffer.count - 1)
        guard count > 0 else { return "" }
        let text = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let directory = (try? root.within(descriptor: parent)) ?? "/"
        let joined = text.hasPrefix("/") ? text : directory + "/" + text
        return "/" + ScopedDirectory.components(joined).joined(separator: "/")
    }
}
