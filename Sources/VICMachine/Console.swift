import Foundation

/// vic-machine's output: logrus-style timestamped lines, as VIC printed them
/// (`INFO[2026-11-29T09:31:59Z] ### Installing VCH ####`). Errors go to stderr.
public struct Console: Sendable {
    /// A console on the process's stdout and stderr.
    public init() {}

    /// Prints an `INFO[<time>]` line to stdout with one unbuffered write.
    public func info(_ message: String) { emit("INFO", message, fd: STDOUT_FILENO) }
    /// Prints a `WARN[<time>]` line to stdout with one unbuffered write.
    public func warn(_ message: String) { emit("WARN", message, fd: STDOUT_FILENO) }
    /// Prints an `ERRO[<time>]` line to stderr with one unbuffered write.
    public func error(_ message: String) { emit("ERRO", message, fd: STDERR_FILENO) }

    private func emit(_ level: String, _ message: String, fd: Int32) {
        let stamp = Date().formatted(.iso8601)
        let line = Array("\(level)[\(stamp)] \(message)\n".utf8)
        line.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
    }
}
