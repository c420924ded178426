import Logging
import NIOHTTP1
import Testing

@testable import VICEngineAPI

/// Streamed responses, live over TCP and a Unix socket, answered by an injected responder.
@Suite("EngineServer streaming", .timeLimit(.minutes(1)))
struct EngineServerStreamingTests {
    typealias Stream = AsyncThrowingStream<[UInt8], any Error>
    static let build = EngineBuild(version: "0.1.0-test", gitCommit: "abc1234")
    static let targets = ["tcp", "unix"]

    /// Starts a server answering with `responder` (plus the router's standard headers), runs
    /// `body` with a target on one listener, and shuts the server down.
    static func withServer(
        _ transport: String, tls: EngineTLSConfiguration? = nil, responder: @escaping EngineHTTPHandler.Responder,
        _ body: (EngineServer, RawConnection.Target) async throws -> Void
    ) async throws {
        try await withTemporaryDirectory("vic-stream") { directory in
            let socketPath = directory + "/docker.sock"
            let server = EngineServer(logger: Logger(label: "test"), build: build) { request in
                await responder(request).withStandardHeaders(build)
            }
            let bound = try await server.start([
                .tcp(host: "127.0.0.1", port: 0, tls: tls), .unixSocket(path: socketPath),
            ])
            do {
                let port = try #require(bound.first?.port)
                try await body(server, transport == "tcp" ? .tcp(port: port) : .unix(path: socketPath))
            } catch {
                await server.shutdown(gracePeriod: .zero)
                throw error
            }
            await server.shutdown(gracePeriod: .zero)
        }
    }

    /// `/stream` answers with `stream`; anything else with `200 OK` and body `OK`.
    static func responder(streaming stream: Stream) -> EngineHTTPHandler.Responder {
        { request in
            request.path == "/stream"
                ? .streaming(headers: ["Content-Type": "application/json"], stream)
                : EngineResponse(status: .ok, body: Array("OK".utf8))
        }
    }

    static func get(_ path: String, version: String = "1.1", close: Bool = false) -> String {
        "GET \(path) HTTP/\(version)\r\nHost: docker\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n"
    }

    @Test("The head arrives before the first chunk; chunks arrive as produced; keep-alive follows",
        arguments: targets)
    func headFirstThenChunks(transport: String) async throws {
        let (stream, producer) = Stream.makeStream()
        try await Self.withServer(transport, responder: Self.responder(streaming: stream)) { _, target in
            try await RawConnection.with(target) { connection in
                try await connection.send(Self.get("/stream"))
                // Nothing is produced until the head is here: it cannot have waited for a chunk.
                let head = try await connection.receiveHead()
                #expect(head.statusLine == "HTTP/1.1 200 OK")
                #expect(head.headers["transfer-encoding"] == "chunked")
                #expect(head.headers["content-length"] == nil)
                #expect(head.headers["content-type"] == "application/json")
                #expect(head.headers["api-version"] == "1.45")
                #expect(head.headers["connection"] == nil)

                producer.yield(Array(#"{"StatusCode":0}"#.utf8))
                #expect(try await connection.receiveChunk() == #"{"StatusCode":0}"#)
                producer.yield([])  // skipped: an empty chunk would end the body
                producer.yield(Array("second\n".utf8))
                #expect(try await connection.receiveChunk() == "second\n")
                producer.finish()
                #expect(try await connection.receiveChunk() == "")

                // The same connection serves the next request.
                try await connection.send(Self.get("/_ping", close: true))
                let ping = try #require(RawResponse.parseAll(try await connection.receiveToEnd()).first)
                #expect(ping.statusLine == "HTTP/1.1 200 OK")
                #expect(ping.body == "OK")
            }
        }
    }

    @Test("A client that disconnects mid-stream cancels the producer", arguments: targets)
    func disconnectCancels(transport: String) async throws {
        let (stream, producer) = Stream.makeStream()
        let (terminations, terminated) = AsyncStream<Stream.Continuation.Termination>.makeStream()
        producer.onTermination = { termination in
            terminated.yield(termination)
            terminated.finish()
        }
        try await Self.withServer(transport, responder: Self.responder(streaming: stream)) { server, target in
            try await RawConnection.with(target) { connection in
                try await connection.send(Self.get("/stream"))
                _ = try await connection.receiveHead()
                producer.yield(Array("tick\n".utf8))
                #expect(try await connection.receiveChunk() == "tick\n")
            }
            // The connection is closed; the server cancels the task that iterates the stream.
            var iterator = terminations.makeAsyncIterator()
            let termination = await iterator.next()
            if case .cancelled = termination {} else { Issue.record("terminated with \(String(describing: termination))") }
            try await waitUntil("the connection is gone") { await server.openConnectionCount == 0 }
        }
    }

    @Test("HTTP/1.0 gets the stream unchunked and the connection closed at its end")
    func http10() async throws {
        let (stream, producer) = Stream.makeStream()
        try await Self.withServer("tcp", responder: Self.responder(streaming: stream)) { _, target in
            try await RawConnection.with(target) { connection in
                try await connection.send(Self.get("/stream", version: "1.0"))
                let head = try await connection.receiveHead()
                #expect(head.statusLine == "HTTP/1.0 200 OK")
                #expect(head.headers["transfer-encoding"] == nil)
                #expect(head.headers["content-length"] == nil)
                #expect(head.headers["connection"] == "close")
                producer.yield(Array("one ".utf8))
                #expect(try await connection.receiveText(count: 4) == "one ")
                producer.yield(Array("two".utf8))
                producer.finish()
                #expect(String(decoding: try await connection.receiveToEnd(), as: UTF8.self) == "two")
            }
        }
    }

    @Test("HEAD gets the head only, and the producer is stopped")
    func head() async throws {
        let (stream, producer) = Stream.makeStream()
        let (terminations, terminated) = AsyncStream<Stream.Continuation.Termination>.makeStream()
        producer.onTermination = { termination in
            terminated.yield(termination)
            terminated.finish()
        }
        try await Self.withServer("tcp", responder: Self.responder(streaming: stream)) { _, target in
            try await RawConnection.with(target) { connection in
                try await connection.send("HEAD /stream HTTP/1.1\r\nHost: docker\r\n\r\n")
                let head = try await connection.receiveHead()
                #expect(head.statusLine == "HTTP/1.1 200 OK")
                #expect(head.headers["transfer-encoding"] == nil)
                var iterator = terminations.makeAsyncIterator()
                _ = await iterator.next()
                // Keep-alive: the next response follows directly, with no body bytes before it.
                try await connection.send(Self.get("/_ping", close: true))
                let rest = try await connection.receiveToEnd()
                #expect(RawResponse.parseAll(rest).map(\.body) == ["OK"])
            }
        }
    }

    struct ProducerFailure: Error {}

    @Test("A stream that throws after the head ends the connection without the last chunk")
    func failure() async throws {
        let (stream, producer) = Stream.makeStream()
        try await Self.withServer("unix", responder: Self.responder(streaming: stream)) { _, target in
            try await RawConnection.with(target) { connection in
                try await connection.send(Self.get("/stream"))
                _ = try await connection.receiveHead()
                producer.yield(Array("partial".utf8))
                #expect(try await connection.receiveChunk() == "partial")
                producer.finish(throwing: ProducerFailure())
                #expect(try await connection.receiveToEnd().isEmpty)
            }
        }
    }

    @Test("An upgrade request answered normally gets Connection: close")
    func upgradeAnsweredNormally() async throws {
        let (stream, _) = Stream.makeStream()
        try await Self.withServer("tcp", responder: Self.responder(streaming: stream)) { _, target in
            try await RawConnection.with(target) { connection in
                try await connection.send(
                    "POST /attach HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
                let response = try #require(RawResponse.parseAll(try await connection.receiveToEnd()).first)
                #expect(response.body == "OK")
                #expect(response.headers["connection"] == "close")
            }
        }
    }
}
