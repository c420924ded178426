import Glibc
import VICCore
import VICSystem

/// Extracts a tar stream into a directory of a `ScopedDirectory`: `docker cp` into a container
/// (`PUT /containers/{id}/archive`).
///
/// Safety: every path is resolved inside the root (links the container holds are followed
/// there, never onto the host), entries with ".." are refused, and everything is created and
/// changed relative to a directory descriptor without following the entry's own name, so a
/// running container that swaps files meanwhile can only redirect writes within itself.
/// Existing files are replaced, as Docker does. Privilege: root for ownership and devices.
public struct ArchiveExtractor: Sendable {
    /// How entries meet what is already there, and whose they become.
    public struct Options: Sendable, Equatable {
        /// A numeric owner and group.
        public struct Owner: Sendable, Equatable {
            public var uid: UInt32
            public var gid: UInt32

            public init(uid: UInt32, gid: UInt32) {
                self.uid = uid
                self.gid = gid
            }
        }

        /// Refuse to replace a directory with a non-directory and the reverse (the docker
        /// CLI always asks for this); otherwise an empty directory may be replaced.
        public var noOverwriteDirNonDir: Bool
        /// Owner and group for every entry; nil keeps the archive's numeric IDs.
        public var owner: Owner?

        /// Options as `PUT /containers/{id}/archive` passes them.
        public init(noOverwriteDirNonDir: Bool = true, owner: Owner? = nil) {
            self.noOverwriteDirNonDir = noOverwriteDirNonDir
            self.owner = owner
        }
    }

    let root: ScopedDirectory
    let destination: [String]
    let options: Options

    /// An extractor into `destination`, a directory inside `root` (links on the way followed
    /// inside `root`); nothing is touched until `extract(_:)`.
    public init(root: ScopedDirectory, destination: String, options: Options = Options()) {
        self.root = root
        self.destination = ScopedDirectory.components(destination)
        self.options = options
    }

    /// Extracts every entry of `source`, a plain or gzip-compressed tar; returns how many.
    /// Throws `.invalidArgument` for another compression, for an entry that climbs out with
    /// "..", or for one that would replace a directory with a file or the reverse under
    /// `noOverwriteDirNonDir`; `.notFound` when a parent is missing and cannot be made;
    /// `.internal` for a failed call. What came before a failure stays.
    public func extract<Source: ByteSource>(_ source: Source) throws -> Int {
        var peek = PeekingByteSource(source)
        if try PeekingByteSource.isGzip(&peek, what: "vic copies plain or gzip-compressed archives only") {
            return try extractTar(try GzipByteSource(peek))
        }
        return try extractTar(peek)
    }

    func extractTar<Source: ByteSource>(_ source: Source) throws -> Int {
        var reader = TarReader(source)
        var count = 0
        var directoryTimes: [(path: String, time: Int)] = []
        while let entry = try reader.next() {
            guard let parts = LayerUnpacker.components(entry.path) else {
                throw VICError(.invalidArgument, "archive entry \(entry.path) climbs out of the destination")
            }
            if parts.isEmpty { continue }  // "./", the destination itself
            try ensureDirectories(parts.dropLast())
            let path = "/" + (destination + parts).joined(separator: "/")
            guard let (parent, name) = try root.openParent(path) else { continue }
            defer { close(parent) }
            try makeRoom(parent, name, path: path, for: entry)
            switch entry.kind {
            case .directory:
                try check(mkdirat(parent, name, 0o700), "mkdir \(path)", allowing: EEXIST)
                directoryTimes.append((path, entry.modificationTime))
            case .file:
                try writeFile(parent, name, path: path, reader: &reader)
            case .symbolicLink:
                try check(symlinkat(entry.linkTarget, parent, name), "symlink \(path)")
            case .hardLink:
                try link(parent, name, path: path, to: entry.linkTarget)
            case .characterDevice, .blockDevice, .fifo:
                let type: mode_t = entry.kind == .fifo ? S_IFIFO : entry.kind == .blockDevice ? S_IFBLK : S_IFCHR
                let device = FileSystem.device(major: entry.deviceMajor, minor: entry.deviceMinor)
                try check(mknodat(parent, name, type | 0o600, device), "mknod \(path)")
            }
            try applyMetadata(parent, name, path: path, entry: entry)
            count += 1
        }
        // A directory's time last: what was written into it changed it.
        for (path, time) in directoryTimes.reversed() {
            guard let (parent, name) = try? root.openParent(path) else { continue }
            setTime(parent, name, time)
            close(parent)
        }
        return count
    }

    /// Makes the destination's subdirectories `parts` where missing (0755, root's).
    func ensureDirectories(_ parts: ArraySlice<String>) throws {
        var path = destination
        for part in parts {
            path.append(part)
            let joined = "/" + path.joined(separator: "/")
            if let opened = try? root.open(joined, flags: ScopedDirectory.pathOnly | O_DIRECTORY) {
                close(opened)
                continue
            }
            guard let (parent, name) = try root.openParent(joined) else { continue }
            defer { close(parent) }
            try check(mkdirat(parent, name, 0o755), "mkdir \(joined)", allowing: EEXIST)
        }
    }

    /// Removes what is at `name` unless the entry can go over it (a directory onto a
    /// directory); refuses a directory against a non-directory when asked to.
    func makeRoom(_ parent: Int32, _ name: String, path: String, for entry: TarEntry) throws {
        var existing = stat()
        guard fstatat(parent, name, &existing, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        let isDirectory = existing.st_mode & S_IFMT == S_IFDIR
        let wantsDirectory = entry.kind == .directory
        if isDirectory && wantsDirectory { return }
        if options.noOverwriteDirNonDir && isDirectory != wantsDirectory {
            let message = isDirectory
                ? "cannot overwrite directory \"\(path)\" with non-directory \"\(entry.path)\""
                : "cannot overwrite non-directory \"\(path)\" with directory \"\(entry.path)\""
            throw VICError(.invalidArgument, message)
        }
        try check(unlinkat(parent, name, isDirectory ? AT_REMOVEDIR : 0), "replace \(path)")
    }

    func writeFile<Source: ByteSource>(_ parent: Int32, _ name: String, path: String, reader: inout TarReader<Source>) throws {
        let fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        try check(fd, "create \(path)")
        defer { close(fd) }
        while true {
            let chunk = try reader.readContents(upTo: 256 * 1024)
            if chunk.isEmpty { break }
            try chunk.withUnsafeBytes { try FileSystem.writeAll(fd, $0, operation: "write \(path)") }
        }
    }

    /// A hard link to an earlier entry of the same archive (its name is relative to the
    /// destination, as the archive's are).
    func link(_ parent: Int32, _ name: String, path: String, to target: String) throws {
        guard let parts = LayerUnpacker.components(target), !parts.isEmpty else {
            throw VICError(.invalidArgument, "archive link \(path) points out of the destination: \(target)")
        }
        guard let (targetParent, targetName) = try root.openParent("/" + (destination + parts).joined(separator: "/")) else { return }
        defer { close(targetParent) }
        try check(linkat(targetParent, targetName, parent, name, 0), "link \(path) to \(target)")
    }

    /// Owner, mode and time, none of them through a link at `name`.
    func applyMetadata(_ parent: Int32, _ name: String, path: String, entry: TarEntry) throws {
        let uid = options.owner?.uid ?? uid_t(clamping: entry.uid)
        let gid = options.owner?.gid ?? gid_t(clamping: entry.gid)
        try check(fchownat(parent, name, uid, gid, AT_SYMLINK_NOFOLLOW), "chown \(path)")
        if entry.kind != .symbolicLink {
            try check(fchmodat(parent, name, mode_t(entry.mode & 0o7777), AT_SYMLINK_NOFOLLOW), "chmod \(path)")
        }
        if entry.kind != .directory { setTime(parent, name, entry.modificationTime) }
    }

    func setTime(_ parent: Int32, _ name: String, _ time: Int) {
        var times = [timespec(tv_sec: time, tv_nsec: 0), timespec(tv_sec: time, tv_nsec: 0)]
        _ = utimensat(parent, name, &times, AT_SYMLINK_NOFOLLOW)
    }

    func check(_ result: Int32, _ operation: String, allowing allowed: Int32 = 0) throws {
        guard result < 0 else { return }
        let number = errno
        if allowed != 0 && number == allowed { return }
        throw ScopedDirectory.error(number, operation)
    }
}
