import Foundation
import VICCore

/// Crash-safe file writes: a temporary file in the same directory, fsync, then rename.
/// A reader sees either the old content or the new, never a torn file.
public enum AtomicFile {
    /// What a write must survive.
    public enum Durability: Sendable {
        /// A crash of the machine: the file and its directory are synced before `write` returns
        /// (two fsyncs, a millisecond or more on a disk). For what must outlive a reboot: the
        /// configuration, the host-change journal, image records, user networks, certificates.
        case durable
        /// A crash of the process: rename alone, so every reader (a restarted vchd, the runtime)
        /// sees the old content or the new. After a crash of the machine the file may hold the
        /// old content, or, for a file that did not exist, none. For files rebuilt before each
        /// use, which no reboot needs: a container's /etc files and OCI bundle (written again at
        /// every start; a reboot ends the container anyway), and for state that a reboot makes
        /// stale, such as a running container's record (after a reboot it is found exited).
        case atomic
    }

    /// Replaces `path` with `data`, creating it with `mode` (octal permissions); with
    /// `durability` `.durable` (the default), synced to disk before it returns.
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o644,
                             durability: Durability = .durable) throws {
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw errnoError("create \(temp)") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            try data.withUnsafeBytes { try FileSystem.writeAll(fd, $0, operation: "write \(temp)") }
        } catch {
            close(fd)
            throw error
        }
        fchmod(fd, mode)
        guard durability == .atomic || fsync(fd) == 0 else {
            let error = errnoError("fsync \(temp)")
            close(fd)
            throw error
        }
        close(fd)
        guard rename(temp, path) == 0 else { throw errnoError("rename \(temp) to \(path)") }
        ok = true
        if durability == .durable { syncDirectory(of: path) }
    }

    /// Creates `path` and its parents with `mode`; succeeds if it already exists as a directory.
    public static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws {
        // The common case, a directory that exists, in one system call.
        var status = stat()
        if stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR { return }
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true,
                attributes: [.posixPermissions: Int(mode)])
        } catch {
            throw VICError.wrapping(error, "create directory \(path)")
        }
    }

    static func syncDirectory(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}

/// A `VICError` for the current `errno`, naming the operation.
public func errnoError(_ operation: String, code: VICError.Code = .internal) -> VICError {
    let number = errno
    return VICError(code, "\(operation): \(String(cString: strerror(number))) (errno \(number))")
}
