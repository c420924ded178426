import Foundation
import NIOHTTP1
import VICCore

/// One complete HTTP response: status, headers and body.
///
/// The transport adds `Content-Length` and `Connection`; everything else is decided here.
public struct EngineResponse: Sendable {
    /// The status code.
    public var status: HTTPResponseStatus
    /// Headers other than `Content-Length` and `Connection`.
    public var headers: HTTPHeaders
    /// The complete body.
    public var body: [UInt8]

    /// A response with the given parts.
    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
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
