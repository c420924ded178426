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
    /// Writes the whole body to `fd` (a file or a pipe, which stays the caller's), each write on
    /// NIO's blocking thread pool, and returns the number of bytes. Reading the next part waits
    /// for the previous write, so a slow reader of `fd` slows the client through the body's
    /// backpressure. `naming` is for errors.
    ///
    /// - Throws: `VICError` `.internal` when a write fails; the body's error when the body ends
    ///   early (the client went away).
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
        try part.withUnsafeReadableBytes { try FileSystem.writeAll(fd, $0, operation: "write the request body to \(path)") }
    }
}
