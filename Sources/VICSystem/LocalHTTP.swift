import Foundation
import VICCore

/// A minimal HTTP/1.0 client over a Unix domain socket, for vic-machine to talk to `vchd`
/// without any network path (the host may have no address on the VCH's networks).
public enum LocalHTTP {
    /// A response read to end of stream; headers are dropped.
    public struct Response: Sendable {
        /// The HTTP status code from the status line.
        public let status: Int
        /// Everything after the blank line ending the headers, decoded as UTF-8; empty when there is none.
        public let body: String
    }

    /// Sends `method path` to the socket and reads the whole response.
    /// Blocking, with `timeout` seconds for each send and receive.
    public static func request(
        socketPath: String, method: String = "GET", path: String, timeout: Int = 5
    ) throws -> Response {
        let fd = try UnixSocket.connect(socketPath)
        defer { close(fd) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))

        let request = Array("\(method) \(path) HTTP/1.0\r\nHost: vchd\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw errnoError("send to \(socketPath)", code: .unavailable) }
            sent += n
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw errnoError("read from \(socketPath)", code: .unavailable) }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let statusLine = text.prefix { $0 != "\r" && $0 != "\n" }.split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw VICError(.unavailable, "malformed response from \(socketPath)")
        }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return Response(status: status, body: body)
    }
}
