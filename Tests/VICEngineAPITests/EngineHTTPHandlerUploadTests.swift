import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import VICEngineAPI

/// Counts the reads that reach the front of the pipeline (the socket, in a real channel).
private final class ReadCounter: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = Never
    var reads = 0

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

/// Hands each streamed request body to the test, and answers once the test says so.
private actor BodyDrop {
    private var bodies: [EngineRequestBody] = []
    private var waiters: [CheckedContinuation<EngineRequestBody, Never>] = []

    func put(_ body: EngineRequestBody) {
        if waiters.isEmpty { bodies.append(body) } else { waiters.removeFirst().resume(returning: body) }
    }

    func take() async -> EngineRequestBody {
        if !bodies.isEmpty { return bodies.removeFirst() }
        return await withCheckedContinuation { waiters.append($0) }
    }
}

/// `EngineHTTPHandler`'s streamed request bodies in an in-memory channel, with request parts fed
/// directly: reads stop above the high watermark and resume at the low one.
@Suite("EngineHTTPHandler uploads")
struct EngineHTTPHandlerUploadTests {
    static let head = HTTPRequestHead(
        version: .http1_1, method: .POST, uri: "/v1.45/images/load", headers: ["Transfer-Encoding": "chunked"])

    /// A channel whose responder hands the body to `drop` and waits for `answer` before
    /// answering; watermarks 2 and 4.
    private static func makeChannel(
        drop: BodyDrop, answer: Gate
    ) async throws -> (NIOAsyncTestingChannel, ReadCounter) {
        let counter = ReadCounter()
        let channel = try await NIOAsyncTestingChannel { channel in
            let handler = EngineHTTPHandler(
                build: .development, maxBodySize: 1024, uploadWatermarks: .init(low: 2, high: 4),
                logger: Logger(label: "test")
            ) { request in
                if let body = request.streamedBody { await drop.put(body) }
                await answer.pass()
                return EngineResponse(status: .ok)
            }
            try channel.pipeline.syncOperations.addHandlers([counter, handler])
        }
        return (channel, counter)
    }

    private static func reads(_ channel: NIOAsyncTestingChannel, _ counter: ReadCounter) async throws -> Int {
        try await channel.testingEventLoop.executeInContext { counter.reads }
    }

    /// Runs the loop until `counter` has seen `count` reads (the consumer's demand hops to it).
    private static func waitForReads(
        _ count: Int, _ channel: NIOAsyncTestingChannel, _ counter: ReadCounter
    ) async throws -> Int {
        for _ in 0..<10_000 {
            await channel.testingEventLoop.run()
            if try await reads(channel, counter) >= count { break }
            await Task.yield()
        }
        return try await reads(channel, counter)
    }

    private static func part(_ byte: UInt8) -> HTTPServerRequestPart {
        .body(ByteBuffer(bytes: [UInt8](repeating: byte, count: 100)))
    }

    @Test("Backpressure: reads stop at the high watermark and resume at the low one")
    func backpressure() async throws {
        let drop = BodyDrop()
        let answer = Gate()
        let (channel, counter) = try await Self.makeChannel(drop: drop, answer: answer)
        try await channel.writeInbound(HTTPServerRequestPart.head(Self.head))
        let body = await drop.take()

        channel.read()
        #expect(try await Self.reads(channel, counter) == 1)
        // Four parts unread: at the high watermark, reads are held back.
        for byte in UInt8(1)...4 { try await channel.writeInbound(Self.part(byte)) }
        channel.read()
        channel.read()
        await channel.testingEventLoop.run()
        #expect(try await Self.reads(channel, counter) == 1)

        // Down to one buffered part (below the low watermark): one held read goes out.
        var iterator = body.makeAsyncIterator()
        for byte in UInt8(1)...3 { #expect(try await iterator.next()?.readableBytesView.first == byte) }
        #expect(try await Self.waitForReads(2, channel, counter) == 2)
        channel.read()
        #expect(try await Self.reads(channel, counter) == 3)

        // The end: the consumer reads the rest and then the end of the body.
        try await channel.writeInbound(Self.part(5))
        try await channel.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(try await iterator.next()?.readableBytesView.first == 4)
        #expect(try await iterator.next()?.readableBytesView.first == 5)
        #expect(try await iterator.next() == nil)
        await answer.open()
        guard case .head(let response) = try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self) else {
            Issue.record("expected a response head")
            return
        }
        #expect(response.status == .ok)
        #expect(response.headers["connection"].isEmpty)
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test("A body over the buffered limit streams; a closed connection makes its read throw")
    func disconnect() async throws {
        let drop = BodyDrop()
        let answer = Gate()
        let (channel, _) = try await Self.makeChannel(drop: drop, answer: answer)
        var head = Self.head
        head.headers = ["Content-Length": "\(1 << 30)"]
        try await channel.writeInbound(HTTPServerRequestPart.head(head))
        let body = await drop.take()
        try await channel.writeInbound(Self.part(1))
        try await channel.close()
        var iterator = body.makeAsyncIterator()
        #expect(try await iterator.next()?.readableBytes == 100)
        await #expect(throws: (any Error).self) { try await iterator.next() }
        await answer.open()
    }

    @Test("A response before the end of the body closes the connection and fails the body")
    func earlyAnswer() async throws {
        let drop = BodyDrop()
        let answer = Gate()
        let (channel, _) = try await Self.makeChannel(drop: drop, answer: answer)
        try await channel.writeInbound(HTTPServerRequestPart.head(Self.head))
        let body = await drop.take()
        await answer.open()
        guard case .head(let response) = try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self) else {
            Issue.record("expected a response head")
            return
        }
        #expect(response.headers["connection"] == ["close"])
        // The rest of the body is dropped without complaint.
        try await channel.writeInbound(Self.part(1))
        await #expect(throws: (any Error).self) { for try await _ in body {} }
        _ = try? await channel.finish(acceptAlreadyClosed: true)
    }

    @Test("Only docker load, import and cp stream their bodies", arguments: [
        ("POST", "/images/load", true), ("POST", "/v1.45/images/load?quiet=1", true),
        ("POST", "/v1.45/images/create?fromSrc=-&repo=x", true), ("POST", "/images/create?fromImage=busybox", false),
        ("PUT", "/v1.41/containers/abc/archive?path=/tmp", true), ("GET", "/containers/abc/archive", false),
        ("POST", "/containers/create", false), ("POST", "/images/load/x", false),
    ])
    func streamedRoutes(method: String, uri: String, streamed: Bool) {
        let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: uri)
        #expect(EngineHTTPHandler.streamsBody(head) == streamed)
    }
}

@Suite("RequestBodyBackpressure")
struct RequestBodyBackpressureTests {
    @Test("Reads flow until the producer says stop, then one is held until the consumer drains")
    func holdAndRelease() {
        var flow = RequestBodyBackpressure()
        let steps = [
            flow.shouldForwardRead(), flow.didYield(.more), flow.didYield(.stop),
            flow.shouldForwardRead(), flow.shouldForwardRead(),
        ]
        #expect(steps == [true, false, false, false, false])
        #expect(flow.state == .paused(readPending: true))
        let drained = [flow.consumerDidDrain(), flow.consumerDidDrain()]
        #expect(drained == [true, false])
        #expect(flow.state == .flowing)
    }

    @Test("A drain with no read asked for issues none; a gone consumer releases a held read")
    func releases() {
        var flow = RequestBodyBackpressure()
        let steps = [
            flow.didYield(.stop), flow.consumerDidDrain(), flow.didYield(.stop), flow.shouldForwardRead(),
            flow.didYield(.dropped), flow.shouldForwardRead(),
        ]
        #expect(steps == [false, false, false, false, true, true])
    }
}
