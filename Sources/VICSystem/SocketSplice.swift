import Foundation
import NIOConcurrencyHelpers

/// Copies bytes both ways between two connected stream sockets on two dedicated threads (the
/// copies block, so they stay off the async pool). End of input on one side shuts down writing
/// on the other, so half-closes pass through; both descriptors are closed when both directions
/// are done. Takes ownership of both descriptors.
public enum SocketSplice {
    /// - Parameter escape: a byte sequence (docker's detach keys) that, read from `first`, ends
    ///   the relay both ways without being passed on; nil or empty: none.
    public static func relay(_ first: Int32, _ second: Int32, escape: [UInt8]? = nil) {
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
        let filter = escape.flatMap { $0.isEmpty ? nil : EscapeSequenceFilter(sequence: $0) }
        Thread.detachNewThread {
            if copy(from: first, to: second, filter: filter) {
                // Detached: the client leaves, the container keeps running.
                shutdown(first, Int32(SHUT_RDWR))
                shutdown(second, Int32(SHUT_RDWR))
            }
            finish()
        }
        Thread.detachNewThread {
            copy(from: second, to: first)
            finish()
        }
    }

    /// Copies until end of input, an error or the escape sequence, then shuts down writing on
    /// `target`. Returns true when the escape sequence ended it.
    @discardableResult
    static func copy(from source: Int32, to target: Int32, filter: EscapeSequenceFilter? = nil) -> Bool {
        var filter = filter
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        var escaped = false
        outer: while !escaped {
            var n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            if filter != nil {
                let outcome = filter?.feed(buffer[0..<n]) ?? .pass([])
                let passed: [UInt8]
                switch outcome {
                case .pass(let bytes): passed = bytes
                case .escape(let bytes):
                    passed = bytes
                    escaped = true
                }
                buffer.replaceSubrange(0..<passed.count, with: passed)
                n = passed.count
            }
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
        return escaped
    }
}
