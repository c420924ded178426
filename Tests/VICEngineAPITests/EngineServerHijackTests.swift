import Foundation
import Logging
import NIOSSL
import Testing

@testable import VICEngineAPI

/// Hijacked responses (attach, exec start), live: the responder hands the server one end of a
/// `socketpair`, the test talks through the other.
@Suite("EngineServer hijack", .timeLimit(.minutes(1)))
struct EngineServerHijackTests {
    static let build = EngineServerStreamingTests.build
    static let rawStream = "application/vnd.docker.raw-stream"
    static let multiplexed = "application/vnd.docker.multiplexed-stream"

    static func attach(upgrade: Bool = true, body: String = "", then extra: String = "") -> String {
        "POST /v1.45/containers/web/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\nHost: docker\r\n"
            + (upgrade ? "Connection: Upgrade\r\nUpgrade: tcp\r\n" : "")
            + (body.isEmpty ? "" : "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n")
            + "\r\n" + body + extra
    }

    /// A server whose every request is answered with a hijack onto `pair.serverEnd`.
    static func withServer(
        _ transport: String, pair: SocketPair, contentType: String = rawStream, tls: EngineTLSConfiguration? = nil,
        _ body: (EngineServer, RawConnection.Target) async throws -> Void
    ) async throws {
        let socket = pair.serverEnd
        try await EngineServerStreamingTests.withServer(transport, tls: tls, responder: { _ in
            EngineResponse.hijacked(Hijack(socket: socket, contentType: contentType))
        }, body)
    }

    /// Waits until the server holds no connection and no descriptor of the server end.
    static func expectReleased(_ server: EngineServer, _ pair: SocketPair) async throws {
        try await waitUntil("the client connection is closed") { await server.openConnectionCount == 0 }
        try await waitUntil("the hijacked socket is closed") { !SocketPair.isOpen(inode: pair.serverInode) }
    }

    @Test("Upgrade: 101 UPGRADED, then raw bytes both ways; bytes sent with the request come first",
        arguments: EngineServerStreamingTests.targets)
    func upgrade(transport: String) async throws {
        let pair = try SocketPair()
        try await Self.withServer(transport, pair: pair, contentType: Self.multiplexed) { server, target in
            try await RawConnection.with(socket: pair.testEnd) { shim in
                try await RawConnection.with(target) { client in
                    // As exec start sends it: a JSON body, and here stdin right behind it.
                    try await client.send(Self.attach(body: #"{"Detach":false,"Tty":false}"#, then: "early"))
                    let head = try await client.receiveHead()
                    #expect(head.statusLine == "HTTP/1.1 101 UPGRADED")
                    #expect(head.headers["content-type"] == Self.multiplexed)
                    #expect(head.headers["connection"] == "Upgrade")
                    #expect(head.headers["upgrade"] == "tcp")
                    #expect(head.headers["api-version"] == "1.45")
                    #expect(head.headers["content-length"] == nil)
                    #expect(head.headers["transfer-encoding"] == nil)

                    #expect(try await shim.receiveText(count: 5) == "early")
                    try await client.send("stdin bytes")
                    #expect(try await shim.receiveText(count: 11) == "stdin bytes")
                    try await shim.send([1, 0, 0, 0, 0, 0, 0, 3] + Array("out".utf8))
                    #expect(try await client.receive(count: 11) == [1, 0, 0, 0, 0, 0, 0, 3] + Array("out".utf8))
                }
                // The client closed; output to it finds it gone, which closes the hijacked socket.
                #expect(try await shim.receiveToEnd().isEmpty)
                try? await shim.send(Array("late".utf8))
                try await Self.expectReleased(server, pair)
            }
        }
    }

    @Test("Without Upgrade: 200 OK with the media type and no length, then raw bytes both ways")
    func withoutUpgrade() async throws {
        let pair = try SocketPair()
        try await Self.withServer("tcp", pair: pair) { server, target in
            try await RawConnection.with(socket: pair.testEnd) { shim in
                try await RawConnection.with(target) { client in
                    try await client.send(Self.attach(upgrade: false))
                    let head = try await client.receiveHead()
                    #expect(head.statusLine == "HTTP/1.1 200 OK")
                    #expect(head.headers["content-type"] == Self.rawStream)
                    #expect(head.headers["content-length"] == nil)
                    #expect(head.headers["transfer-encoding"] == nil)
                    #expect(head.headers["upgrade"] == nil)
                    try await client.send("ls\n")
                    #expect(try await shim.receiveText(count: 3) == "ls\n")
                    try await shim.send(Array("bin\n".utf8))
                    #expect(try await client.receiveText(count: 4) == "bin\n")
                }
                #expect(try await shim.receiveToEnd().isEmpty)
            }
            _ = server
        }
    }

    @Test("Client half-close: the socket reads EOF and can still send; its close ends the client",
        arguments: EngineServerStreamingTests.targets)
    func clientHalfClose(transport: String) async throws {
        let pair = try SocketPair()
        try await Self.withServer(transport, pair: pair) { server, target in
            try await RawConnection.with(target) { client in
                try await RawConnection.with(socket: pair.testEnd) { shim in
                    try await client.send(Self.attach())
                    #expect(try await client.receiveHead().statusLine == "HTTP/1.1 101 UPGRADED")
                    try await client.send("echo hi\n")
                    try await client.finishSending()  // stdin EOF
                    #expect(String(decoding: try await shim.receiveToEnd(), as: UTF8.self) == "echo hi\n")
                    try await shim.send(Array("hi\n".utf8))
                    #expect(try await client.receiveText(count: 3) == "hi\n")
                }
                // The shim end closed: the client gets end of file.
                #expect(try await client.receiveToEnd().isEmpty)
            }
            try await Self.expectReleased(server, pair)
        }
    }

    @Test("The socket closing right after a burst: all of it reaches the client, then EOF")
    func socketCloseFlushes() async throws {
        let pair = try SocketPair()
        let burst = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await Self.withServer("unix", pair: pair) { server, target in
            try await RawConnection.with(target) { client in
                try await client.send(Self.attach())
                _ = try await client.receiveHead()
                // The send returns once the server has read it all, which it does as the client reads.
                async let sent: Void = RawConnection.with(socket: pair.testEnd) { shim in
                    try await shim.send(burst)
                }
                let received = try await client.receiveToEnd()
                try await sent
                #expect(received.count == burst.count)
                let intact = received == burst  // not inside #expect: its diff of 1 MiB takes minutes
                #expect(intact)
            }
            try await Self.expectReleased(server, pair)
        }
    }

    /// A TCP server that holds each request at `gate`, then hijacks it onto `socket`; with its
    /// port. The caller shuts it down.
    static func gatedServer(hijacking socket: Int32, gate: Gate) async throws -> (EngineServer, Int) {
        let server = EngineServer(logger: Logger(label: "test"), build: build) { _ in
            await gate.pass()
            return EngineResponse.hijacked(Hijack(socket: socket, contentType: rawStream))
        }
        let bound = try await server.start([.tcp(host: "127.0.0.1", port: 0, tls: nil)])
        return (server, try #require(bound.first?.port))
    }

    @Test("A half-close before the hijack is relayed once it is in place; output still flows")
    func halfCloseBeforeHijack() async throws {
        let pair = try SocketPair()
        let gate = Gate()
        let socket = pair.serverEnd
        let (server, port) = try await Self.gatedServer(hijacking: socket, gate: gate)
        try await RawConnection.with(.tcp(port: port)) { client in
            try await RawConnection.with(socket: pair.testEnd) { shim in
                try await client.send(Self.attach())
                await gate.waitForArrival()
                try await client.finishSending()  // `echo | docker exec -i`: stdin is empty
                await gate.open()
                #expect(try await client.receiveHead().statusLine == "HTTP/1.1 101 UPGRADED")
                #expect(try await shim.receiveToEnd().isEmpty)
                try await shim.send(Array("done\n".utf8))
                #expect(try await client.receiveText(count: 5) == "done\n")
            }
            #expect(try await client.receiveToEnd().isEmpty)
        }
        try await Self.expectReleased(server, pair)
        await server.shutdown(gracePeriod: .zero)
    }

    @Test("Server shutdown closes a hijacked connection at once, without waiting for the grace period")
    func shutdownClosesHijacked() async throws {
        let pair = try SocketPair()
        try await Self.withServer("unix", pair: pair) { server, target in
            try await RawConnection.with(target) { client in
                try await RawConnection.with(socket: pair.testEnd) { shim in
                    try await client.send(Self.attach())
                    _ = try await client.receiveHead()
                    let stopping = Task { await server.shutdown(gracePeriod: .seconds(60)) }
                    // Within the connection's 20 s timeout, far inside the grace period.
                    #expect(try await client.receiveToEnd().isEmpty)
                    #expect(try await shim.receiveToEnd().isEmpty)
                    await stopping.value
                }
            }
            #expect(!SocketPair.isOpen(inode: pair.serverInode))
        }
    }

    @Test("A response for a connection that closed meanwhile still closes the socket")
    func closedBeforeAnswer() async throws {
        let pair = try SocketPair()
        let gate = Gate()
        let socket = pair.serverEnd
        let (server, port) = try await Self.gatedServer(hijacking: socket, gate: gate)
        try await RawConnection.with(.tcp(port: port)) { client in
            try await client.send(Self.attach())
            await gate.waitForArrival()
            // Gone, not half-closed: a half-close would still be answered (stdin already at EOF).
            try await client.resetOnClose()
        }
        try await waitUntil("the client connection is closed") { await server.openConnectionCount == 0 }
        await gate.open()
        try await waitUntil("the socket is closed") { !SocketPair.isOpen(inode: pair.serverInode) }
        close(pair.testEnd)
        await server.shutdown(gracePeriod: .zero)
    }

    @Test("A descriptor that is not a stream socket gets a 500 and is closed")
    func notASocket() async throws {
        var descriptors: [Int32] = [-1, -1]
        try #require(pipe(&descriptors) == 0)
        let readEnd = descriptors[0]
        let inode = try SocketPair.inode(of: readEnd)
        let server = EngineServer(logger: Logger(label: "test"), build: Self.build) { _ in
            EngineResponse.hijacked(Hijack(socket: readEnd, contentType: Self.rawStream))
        }
        let bound = try await server.start([.tcp(host: "127.0.0.1", port: 0, tls: nil)])
        let port = try #require(bound.first?.port)
        let bytes = try await RawConnection.with(.tcp(port: port)) { client in
            try await client.send(Self.attach(upgrade: true))
            return try await client.receiveToEnd()
        }
        let response = try #require(RawResponse.parseAll(bytes).first)
        #expect(response.statusLine == "HTTP/1.1 500 Internal Server Error")
        #expect(response.body.contains("not a stream socket"))
        close(descriptors[1])  // both ends of a pipe share its inode
        #expect(!SocketPair.isOpen(inode: inode))
        await server.shutdown(gracePeriod: .zero)
    }

    @Test("TLS: the relay works above the TLS handler, half-close included",
        .enabled(if: InstalledClients.openssl))
    func tls() async throws {
        try await withTemporaryDirectory("vic-hijack-tls") { directory in
            try await DockerClientTests.makeCertificates(in: directory)
            let tls = EngineTLSConfiguration(
                certificateChainPath: directory + "/server.pem", privateKeyPath: directory + "/server-key.pem")
            var client = TLSConfiguration.makeClientConfiguration()
            client.trustRoots = .file(directory + "/ca.pem")
            client.certificateVerification = .noHostnameVerification
            let clientContext = try NIOSSLContext(configuration: client)
            let pair = try SocketPair()
            try await Self.withServer("tcp", pair: pair, tls: tls) { server, target in
                try await RawConnection.with(target, tls: clientContext) { client in
                    try await RawConnection.with(socket: pair.testEnd) { shim in
                        try await client.send(Self.attach(then: "early"))
                        #expect(try await client.receiveHead().statusLine == "HTTP/1.1 101 UPGRADED")
                        #expect(try await shim.receiveText(count: 5) == "early")
                        try await shim.send(Array("output".utf8))
                        #expect(try await client.receiveText(count: 6) == "output")
                        try await client.send("more")
                        try await client.finishSending()
                        #expect(String(decoding: try await shim.receiveToEnd(), as: UTF8.self) == "more")
                        try await shim.send(Array("bye".utf8))
                        #expect(try await client.receiveText(count: 3) == "bye")
                    }
                    #expect(try await client.receiveToEnd().isEmpty)
                }
                try await Self.expectReleased(server, pair)
            }
        }
    }
}
