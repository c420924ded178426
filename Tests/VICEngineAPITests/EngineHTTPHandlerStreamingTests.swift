import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import VICEngineAPI

/// The server pipeline (`addEngineHTTPHandlers`) in an in-memory channel, answering through an
/// injected responder: streamed responses and the client's half-close.
@Suite("EngineHTTPHandler streaming", .timeLimit(.minutes(1)))
struct EngineHTTPHandlerStreamingTests {
    typealias Stream = AsyncThrowingStream<[UInt8], any Error>
    typealias Termination = Stream.Continuation.Termination

    static func makeChannel(_ responder: @escaping EngineHTTPHandler.Responder) async throws -> NIOAsyncTestingChannel {
        try await NIOAsyncTestingChannel { channel in
            try channel.pipeline.syncOperations.addEngineHTTPHandlers(
                EngineHTTPHandler(
                    build: EngineServerStreamingTests.build, maxBodySize: 1 << 20, logger: Logger(label: "test"),
                    responder: responder))
        }
    }

    /// Collects outbound bytes until `complete` finds a whole unit at the front; returns it and
    /// keeps the rest in `pending`.
    static func read(
        _ channel: NIOAsyncTestingChannel, _ pending: inout [UInt8], until complete: ([UInt8]) -> Int?
    ) async throws -> [UInt8] {
        while complete(pending) == nil {
            pending += try await channel.waitForOutboundWrite(as: ByteBuffer.self).readableBytesView
        }
        let length = complete(pending) ?? 0
        defer { pending.removeFirst(length) }
        return Array(pending.prefix(length))
    }

    static func headLength(_ bytes: [UInt8]) -> Int? {
        let separator = Array("\r\n\r\n".utf8)
        guard bytes.count >= 4 else { return nil }
        return (0...(bytes.count - 4)).first { Array(bytes[$0..<$0 + 4]) == separator }.map { $0 + 4 }
    }

    static func producer() -> (Stream, Stream.Continuation, AsyncStream<Termination>) {
        let (stream, continuation) = Stream.makeStream()
        let (terminations, terminated) = AsyncStream<Termination>.makeStream()
        continuation.onTermination = { termination in
            terminated.yield(termination)
            terminated.finish()
        }
        return (stream, continuation, terminations)
    }

    /// The connection answers another request: it was kept alive.
    static func expectKeepAlive(_ channel: NIOAsyncTestingChannel) async throws {
        try await channel.writeInbound(ByteBuffer(string: "HEAD /_ping HTTP/1.1\r\nHost: d\r\n\r\n"))
        var pending: [UInt8] = []
        let head = try await read(channel, &pending, until: headLength)
        #expect(RawResponse.parse(head, bodyless: true)?.0.statusLine.hasPrefix("HTTP/1.1 ") == true)
        _ = try await channel.finish()
    }

    @Test("The head is written before any chunk; each chunk as it comes; then the last chunk")
    func chunks() async throws {
        let (stream, producer, _) = Self.producer()
        let channel = try await Self.makeChannel { _ in .streaming(headers: ["Content-Type": "text/plain"], stream) }
        try await channel.writeInbound(ByteBuffer(string: "GET /logs HTTP/1.1\r\nHost: d\r\n\r\n"))
        var pending: [UInt8] = []
        let head = try await Self.read(channel, &pending, until: Self.headLength)
        let response = try #require(RawResponse.parse(head, bodyless: true)?.0)
        #expect(response.statusLine == "HTTP/1.1 200 OK")
        #expect(response.headers["transfer-encoding"] == "chunked")
        #expect(response.headers["content-length"] == nil)

        producer.yield(Array("line 1\n".utf8))
        let first = try await Self.read(channel, &pending, until: ChunkedBody.chunkLength)
        #expect(first == Array("7\r\nline 1\n\r\n".utf8))
        producer.finish()
        let last = try await Self.read(channel, &pending, until: ChunkedBody.chunkLength)
        #expect(last == Array("0\r\n\r\n".utf8))
        try await Self.expectKeepAlive(channel)
    }

    @Test("A client half-close during a stream cancels the producer and closes the connection")
    func halfCloseDuringStream() async throws {
        let (stream, _, terminations) = Self.producer()
        let channel = try await Self.makeChannel { _ in .streaming(headers: [:], stream) }
        try await channel.writeInbound(ByteBuffer(string: "POST /containers/web/wait HTTP/1.1\r\nHost: d\r\n\r\n"))
        var pending: [UInt8] = []
        _ = try await Self.read(channel, &pending, until: Self.headLength)
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        var iterator = terminations.makeAsyncIterator()
        let termination = await iterator.next()
        if case .cancelled = termination {} else { Issue.record("terminated with \(String(describing: termination))") }
        try await channel.closeFuture.get()
    }

    @Test("A client half-close while a complete response is computed: it is written, then the connection closes")
    func halfCloseBeforeResponse() async throws {
        let gate = Gate()
        let channel = try await Self.makeChannel { _ in
            await gate.pass()
            return EngineResponse(status: .ok, body: Array("OK".utf8))
        }
        try await channel.writeInbound(ByteBuffer(string: "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n"))
        await gate.waitForArrival()
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        await gate.open()
        var pending: [UInt8] = []
        let bytes = try await Self.read(channel, &pending) { RawResponse.parse($0)?.1 }
        let response = try #require(RawResponse.parse(bytes)?.0)
        #expect(response.body == "OK")
        #expect(response.headers["connection"] == "close")
        try await channel.closeFuture.get()
    }

    @Test("A half-close between requests closes the connection")
    func halfCloseIdle() async throws {
        let channel = try await Self.makeChannel { _ in EngineResponse(status: .ok) }
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        try await channel.closeFuture.get()
    }

    @Test("A status without a body (204) gets neither a length nor chunking, and keeps the connection")
    func noContent() async throws {
        let channel = try await Self.makeChannel { _ in EngineResponse(status: .noContent) }
        try await channel.writeInbound(ByteBuffer(string: "POST /containers/web/start HTTP/1.1\r\nHost: d\r\n\r\n"))
        var pending: [UInt8] = []
        let head = try await Self.read(channel, &pending, until: Self.headLength)
        let response = try #require(RawResponse.parse(head, bodyless: true)?.0)
        #expect(response.statusLine == "HTTP/1.1 204 No Content")
        #expect(response.headers["content-length"] == nil)
        #expect(response.headers["transfer-encoding"] == nil)
        try await Self.expectKeepAlive(channel)
    }
}
