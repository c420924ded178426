import Foundation
import NIOConcurrencyHelpers

/// Copies bytes both ways between two connected stream sockets on two dedicated threads (the
/// copies block, so they stay off the async pool). End of input on one side shuts down writing
/// on the other, so half-closes pass through; both descriptors are closed when both directions
/// are done. Takes ownership of both descriptors.
public enum SocketSplice {
    public static func relay(_ first: Int32, _ second: Int32) {
        let remaining = NIOLockedValueBox(2)
        let finish: @Sendable () -> Void = {
            let last = remaining.withLockedValue { count -> Bool in
                count -= 1
                return count == 0
            }
            if last {
                close(first)
                close(second)
            }
        }
        Thread.detachNewThread {
            copy(from: first, to: second)
            finish()
        }
        Thread.detachNewThread {
            copy(from: second, to: first)
            finish()
        }
    }

    /// Copies until end of input or an error, then shuts down writing on `target`.
    static func copy(from source: Int32, to target: Int32) {
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        outer: while true {
            let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            var offset = 0
            while offset < n {
                let written = buffer[offset..<n].withUnsafeBytes { send(target, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if written < 0 && errno == EINTR { continue }
                if written <= 0 {
                    // The other side is gone: stop reading too.
                    shutdown(source, Int32(SHUT_RD))
                    break outer
                }
                offset += written
            }
        }
        shutdown(target, Int32(SHUT_WR))
    }
}
