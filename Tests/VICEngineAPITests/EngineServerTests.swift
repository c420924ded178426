#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import Testing
import VICCore
import VICEngineAPI

/// The server live: real sockets on 127.0.0.1 and in a temporary directory, plain HTTP.
@Suite("EngineServer")
struct EngineServerTests {
    static let build = EngineBuild(version: "0.1.0-test", gitCommit: "abc1234")

    /// Starts a server on TCP port 0 and a Unix socket, runs `body`, and shuts it down.
    static func withServer(
        _ backend: any EngineBackend,
        _ body: (EngineServer, _ port: Int, _ socketPath: String) async throws -> Void
    ) async throws {
        try await withTemporaryDirectory("vic-api") { directory in
            let socketPath = directory + "/docker.sock"
            let server = EngineServer(backend: backend, logger: Logger(label: "test"), build: build)
            let bound = try await server.start([
                .tcp(host: "127.0.0.1", port: 0, tls: nil), .unixSocket(path: socketPath),
            ])
            do {
                let port = try #require(bound.first?.port)
                try await body(server, port, socketPath)
            } catch {
                await server.shutdown(gracePeriod: .zero)
                throw error
            }
            await server.shutdown()
        }
    }

    @Test("Answers over TCP and a Unix socket, with keep-alive, then shuts down")
    func liveRequests() async throws {
        try await Self.withServer(try FakeBackend.sample()) { server, port, socketPath in
            // Two requests on one TCP connection; the second asks to close.
            let tcpBytes = try await RawHTTPClient.exchange(
                .tcp(host: "127.0.0.1", port: port),
                RawHTTPClient.request("GET", "/_ping", close: false)
                    + RawHTTPClient.request("GET", "/v1.45/networks/web"))
            let tcp = RawResponse.parseAll(tcpBytes)
            #expect(tcp.map(\.statusLine) == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"])
            #expect(tcp.first?.body == "OK")
            #expect(tcp.first?.headers["api-version"] == "1.45")
            #expect(tcp.last?.body.contains("\"Id\":\"\(FakeBackend.webID)\"") == true)
            #expect(tcp.last?.headers["connection"] == "close")

            let unixBytes = try await RawHTTPClient.exchange(.unix(path: socketPath), RawHTTPClient.request("GET", "/info"))
            let info = try #require(RawResponse.parseAll(unixBytes).first)
            #expect(info.statusLine == "HTTP/1.1 200 OK")
            #expect(info.body.contains("\"OperatingSystem\":\"vic\""))
            #expect(info.headers["ostype"] == "linux")

            let missing = try await RawHTTPClient.exchange(.unix(path: socketPath), RawHTTPClient.request("GET", "/nope"))
            #expect(RawResponse.parseAll(missing).first?.statusLine == "HTTP/1.1 404 Not Found")

            let attributes = try FileManager.default.attributesOfItem(atPath: socketPath)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o660)
            _ = server
        }
    }

    @Test("A stale socket file is replaced, and the socket is removed at shutdown")
    func staleSocket() async throws {
        try await withTemporaryDirectory("vic-api") { directory in
            let socketPath = directory + "/docker.sock"
            try makeStaleSocket(at: socketPath)
            #expect(FileManager.default.fileExists(atPath: socketPath))

            let server = EngineServer(backend: try FakeBackend.sample(), logger: Logger(label: "test"))
            try await server.start([.unixSocket(path: socketPath)])
            let bytes = try await RawHTTPClient.exchange(.unix(path: socketPath), RawHTTPClient.request("GET", "/_ping"))
            #expect(RawResponse.parseAll(bytes).first?.body == "OK")
            await server.shutdown()
            #expect(!FileManager.default.fileExists(atPath: socketPath))
        }
    }

    @Test("Shutdown stops accepting but lets the request in flight finish")
    func gracefulShutdown() async throws {
        let gate = Gate()
        let backend = GatedBackend(base: try FakeBackend.sample(), gate: gate)
        try await Self.withServer(backend) { server, port, socketPath in
            let inFlight = Task {
                try await RawHTTPClient.exchange(.tcp(host: "127.0.0.1", port: port), RawHTTPClient.request("GET", "/info"))
            }
            await gate.waitForArrival()
            let stopping = Task { await server.shutdown() }
            // The Unix socket file goes once the listeners are closed.
            try await waitUntil("the listeners are closed") { !FileManager.default.fileExists(atPath: socketPath) }
            await #expect(throws: (any Error).self) {
                _ = try await RawHTTPClient.exchange(.tcp(host: "127.0.0.1", port: port), RawHTTPClient.request("GET", "/_ping"))
            }
            await gate.open()
            let response = try #require(RawResponse.parseAll(try await inFlight.value).first)
            #expect(response.statusLine == "HTTP/1.1 200 OK")
            #expect(response.body.contains("\"Name\":\"vch-test\""))
            await stopping.value
        }
    }

    @Test("Starting twice is an invalid state; a bad TLS file is an invalid argument")
    func startErrors() async throws {
        let server = EngineServer(backend: try FakeBackend.sample(), logger: Logger(label: "test"))
        let tls = EngineTLSConfiguration(certificateChainPath: "/nonexistent/cert.pem", privateKeyPath: "/nonexistent/key.pem")
        await #expect(throws: VICError.self) {
            try await server.start([.tcp(host: "127.0.0.1", port: 0, tls: tls)])
        }
        try await server.start([.tcp(host: "127.0.0.1", port: 0, tls: nil)])
        let error = await #expect(throws: VICError.self) {
            try await server.start([.tcp(host: "127.0.0.1", port: 0, tls: nil)])
        }
        #expect(error?.code == .invalidState)
        await server.shutdown()
    }

    struct SocketError: Error {
        var step: String
        var code: Int32
    }

    /// Leaves a socket file behind the way a crashed daemon does: bound, closed, never unlinked.
    func makeStaleSocket(at path: String) throws {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw SocketError(step: "socket", code: errno) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw SocketError(step: "path too long", code: 0)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else { throw SocketError(step: "bind", code: errno) }
    }
}
