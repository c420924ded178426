#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks and disposal of the socket descriptor a `Hijack` hands over, before NIO owns it.
enum HijackSocket {
    /// Whether `descriptor` is an open `SOCK_STREAM` socket, which NIO can wrap in a channel.
    /// (NIO asserts on descriptors it cannot use, so a route's mistake is caught here.)
    static func isStreamSocket(_ descriptor: Int32) -> Bool {
        guard descriptor >= 0 else { return false }
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_TYPE, &type, &length) == 0 else { return false }
        #if canImport(Glibc)
        return type == Int32(SOCK_STREAM.rawValue)
        #else
        return type == SOCK_STREAM
        #endif
    }

    /// Closes a descriptor the server owns but will not use.
    static func close(_ descriptor: Int32) {
        guard descriptor >= 0 else { return }
        #if canImport(Glibc)
        _ = Glibc.close(descriptor)
        #elseif canImport(Musl)
        _ = Musl.close(descriptor)
        #elseif canImport(Darwin)
        _ = Darwin.close(descriptor)
        #endif
    }
}
