import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import VICEngineAPI

/// The connection pipeline (`configureHTTPServerPipeline` + `EngineHTTPHandler`) in an
/// in-memory channel: request bytes in, response bytes out.
@Suite("EngineHTTPHandler")
struct EngineHTTPHandlerTests {
    static func makeChannel(maxBodySize: Int = 1 << 20) async throws -> NIOAsyncTestingChannel {
        let router = try RouterTests.sampleRouter()
        return try await NIOAsyncTestingChannel { channel in
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(
                EngineHTTPHandler(router: router, maxBodySize: maxBodySize, logger: Logger(label: "test")))
        }
    }

    /// Reads outbound buffers until `count` whole responses (by Content-Length) have arrived.
    static func readResponses(_ channel: NIOAsyncTestingChannel, count: Int = 1) async throws -> [RawResponse] {
        var bytes: [UInt8] = []
        var responses: [RawResponse] = []
        while responses.count < count {
            let buffer = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
            bytes += buffer.readableBytesView
            while let (response, used) = RawResponse.parse(bytes) {
                responses.append(response)
                bytes.removeFirst(used)
            }
        }
        #expect(bytes.isEmpty)
        return responses
    }

    static func send(_ channel: NIOAsyncTestingChannel, _ text: String) async throws {
        try await channel.writeInbound(ByteBuffer(string: text))
    }

    @Test("A GET gets a complete keep-alive response with the standard headers")
    func getPing() async throws {
        let channel = try await Self.makeChannel()
        try await Self.send(channel, "GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n")
        let response = try #require(try await Self.readResponses(channel).first)
        #expect(response.statusLine == "HTTP/1.1 200 OK")
        #expect(response.body == "OK")
        #expect(response.headers["content-length"] == "2")
        #expect(response.headers["api-version"] == "1.45")
        #expect(response.headers["ostype"] == "linux")
        #expect(response.headers["docker-experimental"] == "false")
        #expect(response.headers["server"] == "vic/0.1.0-test")
        #expect(response.headers["connection"] == nil)
        // The connection stays open for the next request.
        try await Self.send(channel, "GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n")
        #expect(try await Self.readResponses(channel).first?.body == "OK")
        _ = try await channel.finish()
    }

    @Test("HEAD gets headers with Content-Length 0 and no body")
    func headPing() async throws {
        let channel = try await Self.makeChannel()
        try await Self.send(channel, "HEAD /_ping HTTP/1.1\r\nHost: docker\r\n\r\n")
        let response = try #require(try await Self.readResponses(channel).first)
        #expect(response.statusLine == "HTTP/1.1 200 OK")
        #expect(response.headers["content-length"] == "0")
        #expect(response.body.isEmpty)
        _ = try await channel.finish()
    }

    @Test("Pipelined requests are answered in order on one connection")
    func pipelined() async throws {
        let channel = try await Self.makeChannel()
        try await Self.send(
            channel,
            "GET /nope HTTP/1.1\r\nHost: d\r\n\r\nGET /v1.45/networks/web HTTP/1.1\r\nHost: d\r\n\r\n"
                + "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n")
        let responses = try await Self.readResponses(channel, count: 3)
        #expect(responses.map(\.statusLine) == ["HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK"])
        #expect(responses.first?.body == "{\"message\":\"page not found\"}\n")
        #expect(responses.first?.headers["content-type"] == "application/json")
        #expect(responses.dropFirst().first?.body.contains("\"Name\":\"web\"") == true)
        #expect(responses.last?.body == "OK")
        _ = try await channel.finish()
    }

    @Test("Connection: close is honoured: the response says so and the connection closes")
    func connectionClose() async throws {
        let channel = try await Self.makeChannel()
        try await Self.send(channel, "GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
        let response = try #require(try await Self.readResponses(channel).first)
        #expect(response.headers["connection"] == "close")
        try await channel.closeFuture.get()
    }

    @Test("A body over the limit by Content-Length is refused with 413 and the connection closes")
    func tooLargeByLength() async throws {
        let channel = try await Self.makeChannel(maxBodySize: 8)
        try await Self.send(
            channel, "POST /networks/create HTTP/1.1\r\nHost: d\r\nContent-Length: 20\r\n\r\n0123456789")
        let response = try #require(try await Self.readResponses(channel).first)
        #expect(response.statusLine == "HTTP/1.1 413 Payload Too Large")
        #expect(response.body == "{\"message\":\"request body exceeds 8 bytes\"}\n")
        #expect(response.headers["connection"] == "close")
        try await channel.closeFuture.get()
    }

    @Test("A chunked body that grows over the limit is refused with 413")
    func tooLargeChunked() async throws {
        let channel = try await Self.makeChannel(maxBodySize: 8)
        try await Self.send(
            channel, "POST /networks/create HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n")
        try await Self.send(channel, "5\r\n56789\r\n0\r\n\r\n")
        let response = try #require(try await Self.readResponses(channel).first)
        #expect(response.statusLine == "HTTP/1.1 413 Payload Too Large")
        try await channel.closeFuture.get()
    }

    @Test("A body within the limit reaches the router")
    func bodyWithinLimit() async throws {
        let channel = try await Self.makeChannel(maxBodySize: 64)
        try await Self.send(
            channel, "POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}")
        let response = try #require(try await Self.readResponses(channel).first)
        #expect(response.statusLine == "HTTP/1.1 501 Not Implemented")
        #expect(response.body.contains("vic does not implement POST /containers/create yet"))
        _ = try await channel.finish()
    }

    @Test("Expect: 100-continue gets an interim response before the final one")
    func expectContinue() async throws {
        let channel = try await Self.makeChannel()
        try await Self.send(
            channel, "POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        let interim = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
        #expect(String(buffer: interim) == "HTTP/1.1 100 Continue\r\n\r\n")
        try await Self.send(channel, "{}")
        let response = try #require(try await Self.readResponses(channel).first)
        #expect(response.statusLine == "HTTP/1.1 501 Not Implemented")
        _ = try await channel.finish()
    }

    @Test("Garbage is a 400 from NIO's protocol error handler")
    func malformed() async throws {
        let channel = try await Self.makeChannel()
        try await Self.send(channel, "NOT HTTP AT ALL\r\n\r\n")
        let buffer = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
        #expect(String(buffer: buffer).hasPrefix("HTTP/1.1 400 Bad Request"))
        try await channel.closeFuture.get()
    }
}
