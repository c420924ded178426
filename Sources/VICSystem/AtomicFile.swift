import Foundation
import VICCore

/// Crash-safe file writes: a temporary file in the same directory, fsync, then rename.
/// A reader sees either the old content or the new, never a torn file.
public enum AtomicFile {
    /// Replaces `path` with `data`, creating it with `mode` (octal permissions).
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw errnoError("create \(temp)") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    let error = errnoError("write \(temp)")
                    close(fd)
                    throw error
                }
                offset += n
            }
        }
        fchmod(fd, mode)
        guard fsync(fd) == 0 else {
            let error = errnoError("fsync \(temp)")
            close(fd)
            throw error
        }
        close(fd)
        guard rename(temp, path) == 0 else { throw errnoError("rename \(temp) to \(path)") }
        ok = true
        syncDirectory(of: path)
    }

    /// Creates `path` and its parents with `mode`; succeeds if it already exists as a directory.
    public static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws {
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
