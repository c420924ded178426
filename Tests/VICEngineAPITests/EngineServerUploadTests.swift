import Crypto
import Logging
import NIOCore
import NIOHTTP1
import Testing
import VICCore

@testable import VICEngineAPI

/// Streamed request bodies, live over loopback: a body far larger than the buffered limit
/// arrives whole and in order, by `Content-Length` and chunked; a client that goes away makes
/// the consumer's read throw.
@Suite("EngineServer uploads", .timeLimit(.minutes(2)))
struct EngineServerUploadTests {
    /// 200 MiB: 200 blocks of 1 MiB, each a fixed random MiB stamped with its index, so a lost,
    /// repeated or reordered block changes the digest.
    static let blockCount = 200
    static let block: [UInt8] = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255) }

    static func block(_ index: Int) -> [UInt8] {
        var bytes = block
        withUnsafeBytes(of: UInt64(index).littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
        return bytes
    }

    /// Answers a streamed body with `SIZE DIGEST` of what it read, any other with `buffered`.
    static let digestResponder: EngineHTTPHandler.Responder = { request in
        guard let body = request.streamedBody else {
            return EngineResponse(status: .ok, body: Array("buffered \(request.body.count)".utf8))
        }
        var hash = SHA256()
        var size = 0
        do {
            for try await part in body {
                part.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
                size += part.readableBytes
            }
        } catch {
            return .error(VICError(.invalidArgument, "body: \(error)"))
        }
        return EngineResponse(status: .ok, body: Array("\(size) \(hex(hash.finalize()))".utf8))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    @Test("A 200 MiB docker load body arrives whole and in order", arguments: ["content-length", "chunked"])
    func largeBody(framing: String) async throws {
        try await EngineServerStreamingTests.withServer("tcp", responder: Self.digestResponder) { _, target in
            try await RawConnection.with(target, timeout: .seconds(90)) { connection in
                let chunked = framing == "chunked"
                let size = Self.blockCount * Self.block.count
                try await connection.send(
                    "POST /v1.45/images/load?quiet=1 HTTP/1.1\r\nHost: docker\r\nContent-Type: application/x-tar\r\n"
                        + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: \(size)\r\n") + "\r\n")
                var hash = SHA256()
                for index in 0..<Self.blockCount {
                    let bytes = Self.block(index)
                    hash.update(data: bytes)
                    if chunked { try await connection.send("\(String(bytes.count, radix: 16))\r\n") }
                    try await connection.send(bytes)
                    if chunked { try await connection.send("\r\n") }
                }
                if chunked { try await connection.send("0\r\n\r\n") }
                let head = try await connection.receiveHead()
                #expect(head.statusLine == "HTTP/1.1 200 OK")
                let length = try #require(head.headers["content-length"].flatMap { Int($0) })
                #expect(try await connection.receiveText(count: length) == "\(size) \(Self.hex(hash.finalize()))")
                // The connection serves the next request.
                try await connection.send("GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
                let next = RawResponse.parseAll(try await connection.receiveToEnd())
                #expect(next.map(\.body) == ["buffered 0"])
            }
        }
    }

    @Test("A client that goes away mid-upload makes the consumer's read throw")
    func clientGoesAway() async throws {
        let (outcomes, report) = AsyncStream<String>.makeStream()
        let responder: EngineHTTPHandler.Responder = { request in
            var size = 0
            do {
                for try await part in request.bodyParts { size += part.readableBytes }
                report.yield("finished after \(size) bytes")
            } catch {
                report.yield("threw")
            }
            return EngineResponse(status: .ok)
        }
        try await EngineServerStreamingTests.withServer("tcp", responder: responder) { _, target in
            try await RawConnection.with(target) { connection in
                try await connection.send(
                    "POST /images/create?fromSrc=-&repo=big HTTP/1.1\r\nHost: docker\r\nContent-Length: \(64 << 20)\r\n\r\n")
                try await connection.send(Self.block(0))
                try await connection.resetOnClose()
            }
            var iterator = outcomes.makeAsyncIterator()
            #expect(await iterator.next() == "threw")
        }
    }

    @Test("A JSON route keeps the buffered body and its limit")
    func bufferedRoutesStayBounded() async throws {
        try await EngineServerStreamingTests.withServer("tcp", responder: Self.digestResponder) { _, target in
            try await RawConnection.with(target) { connection in
                try await connection.send(
                    "POST /containers/create HTTP/1.1\r\nHost: docker\r\nContent-Length: \(64 << 20)\r\n\r\n")
                let head = try await connection.receiveHead()
                #expect(head.statusLine == "HTTP/1.1 413 Payload Too Large")
            }
        }
    }
}
