#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix
import VICCore
import VICSystem

extension EngineRequestBody {
    /// Writes the whole body to a new file at `path` (mode 0600), each write on NIO's blocking
    /// thread pool, and returns the number of bytes written.
    ///
    /// Reading the next part waits for the previous write, so a slow disk slows the client
    /// through the body's backpressure. The file is removed when the body is cut short (the
    /// client went away), the task is cancelled or a write fails: it exists afterwards only
    /// when it holds the whole body.
    ///
    /// - Throws: `VICError` `.internal` when the file cannot be created or written; the body's
    ///   error when the body ends early.
    @discardableResult
    public func spool(to path: String) async throws -> Int64 {
        let pool = NIOThreadPool.singleton
        let fd = try await pool.runIfActive { () throws -> CInt in
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw VICError(.internal, "spool request body to \(path): \(String(cString: strerror(errno)))")
            }
            return fd
        }
        do {
            let written = try await write(to: fd, naming: path)
            close(fd)
            return written
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
    }

    /// Writes the whole body to `fd` (a file or a pipe, which stays the caller's), each write on
    /// NIO's blocking thread pool, the next part read only once the last is written; returns
    /// the number of bytes. `naming` is for errors.
    @discardableResult
    public func write(to fd: CInt, naming name: String) async throws -> Int64 {
        let pool = NIOThreadPool.singleton
        var written: Int64 = 0
        for try await part in self {
            try await pool.runIfActive { try Self.writeAll(part, to: fd, path: name) }
            written += Int64(part.readableBytes)
        }
        return written
    }

    private static func writeAll(_ part: ByteBuffer, to fd: CInt, path: String) throws {
        try part.withUnsafeReadableBytes { try FileSystem.writeAll(fd, $0, operation: "spool request body to \(path)") }
    }
}
