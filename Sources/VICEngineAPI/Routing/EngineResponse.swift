import Foundation
import NIOHTTP1
import VICCore

/// One HTTP response: status, headers and one of three kinds of body.
///
/// - A complete `body` (the default): the transport adds `Content-Length`.
/// - A `stream`: the head goes out at once, then each element as it arrives (chunked on
///   HTTP/1.1, until close on HTTP/1.0). For `POST /containers/{id}/wait`, `logs -f`, pull
///   progress and events.
/// - A `hijack`: the head (`101 UPGRADED` or `200 OK`), then the connection becomes a raw byte
///   relay to a socket. For attach and exec start.
///
/// The transport adds `Content-Length`, `Transfer-Encoding` and `Connection`; everything else
/// is decided here.
public struct EngineResponse: Sendable {
    /// The status code.
    public var status: HTTPResponseStatus
    /// Headers other than `Content-Length`, `Transfer-Encoding` and `Connection`.
    public var headers: HTTPHeaders
    /// The complete body; ignored when `stream` or `hijack` is set.
    public var body: [UInt8]
    /// A body sent as it is produced; `nil` for the complete `body`.
    ///
    /// The server iterates it in one task. When the client goes away, that task is cancelled,
    /// so the producer's `onTermination` sees `.cancelled` and must stop its work. An error
    /// thrown after the head went out ends the response by closing the connection.
    public var stream: AsyncThrowingStream<[UInt8], any Error>?
    /// The connection is handed over to a socket after the head; takes precedence over `stream`.
    public var hijack: Hijack?

    /// A response with the given parts.
    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body is `stream`, written as each element arrives.
    ///
    /// The head is flushed before the first element, so a client waiting for headers (the
    /// docker CLI's `wait`) gets them at once.
    public static func streaming(
        status: HTTPResponseStatus = .ok, headers: HTTPHeaders,
        _ stream: AsyncThrowingStream<[UInt8], any Error>
    ) -> EngineResponse {
        var response = EngineResponse(status: status, headers: headers)
        response.stream = stream
        return response
    }

    /// A response that hands the connection to `hijack.socket` (Docker's attach and exec start).
    ///
    /// The server owns the socket from here on and closes it, even when the connection is
    /// already gone by the time the response is ready.
    public static func hijacked(_ hijack: Hijack) -> EngineResponse {
        var response = EngineResponse(status: .ok, headers: ["Content-Type": hijack.contentType])
        response.hijack = hijack
        return response
    }

    /// The body as UTF-8 text, for logs and tests.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// A JSON body, with a trailing newline as Go's `json.Encoder` writes it.
    static func json(_ value: some Encodable, status: HTTPResponseStatus = .ok) -> EngineResponse {
        do {
            var body = Array(try encoder.encode(value))
            body.append(UInt8(ascii: "\n"))
            return EngineResponse(status: status, headers: ["Content-Type": "application/json"], body: body)
        } catch {
            // Encoding our own wire structs cannot fail short of a bug; say so rather than crash.
            return .error(VICError(.internal, "encode response", underlying: error))
        }
    }

    /// Docker's error shape `{"message": ...}` with the status `ErrorStatus` picks for `error`.
    static func error(_ error: any Error) -> EngineResponse {
        let status = ErrorStatus.status(for: error)
        let body = DockerErrorResponse(message: ErrorStatus.message(for: error))
        var data = (try? encoder.encode(body)).map(Array.init) ?? Array(#"{"message":"internal error"}"#.utf8)
        data.append(UInt8(ascii: "\n"))
        return EngineResponse(status: status, headers: ["Content-Type": "application/json"], body: data)
    }

    /// The headers the docker CLI reads on every response, added without replacing any a route set.
    func withStandardHeaders(_ build: EngineBuild) -> EngineResponse {
        var copy = self
        let standard: [(String, String)] = [
            ("Server", "vic/\(build.version)"),
            ("Api-Version", EngineBuild.apiVersion),
            ("Docker-Experimental", "false"),
            ("Ostype", "linux"),
        ]
        for (name, value) in standard where !copy.headers.contains(name: name) {
            copy.headers.add(name: name, value: value)
        }
        return copy
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// A connected stream socket that takes over an HTTP connection once the response head is out:
/// bytes from the client go to it, bytes from it go to the client.
///
/// When the client half-closes (stdin EOF), the socket's write side is shut down (`SHUT_WR`)
/// and output keeps flowing to the client. When the socket reaches end of file or fails, what
/// it sent is flushed and the client connection closed. When the client closes, so is the socket.
public struct Hijack: Sendable {
    /// A connected `SOCK_STREAM` socket (e.g. to a container's shim). The server takes
    /// ownership and closes it.
    public var socket: Int32
    /// Docker's media type: `application/vnd.docker.raw-stream` (TTY) or
    /// `application/vnd.docker.multiplexed-stream`.
    public var contentType: String

    /// A hijack onto `socket`, announced with `contentType`.
    public init(socket: Int32, contentType: String) {
        self.socket = socket
        self.contentType = contentType
    }
}
