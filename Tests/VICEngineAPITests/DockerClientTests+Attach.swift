import Foundation
import Logging
import NIOHTTP1
import Testing
import VICCore

@testable import VICEngineAPI

extension DockerClientTests {
    /// The answers `docker attach web` needs: ping, inspect (running, stdin open, no TTY), a
    /// streamed wait whose body is `exit`, and a hijack onto `socket`.
    static func attachResponder(
        socket: Int32, exit: AsyncThrowingStream<[UInt8], any Error>
    ) -> EngineHTTPHandler.Responder {
        let build = EngineServerStreamingTests.build
        return { request in
            let path = APIVersion.strippingPrefix(request.path).1
            let response: EngineResponse =
                switch (request.method, path) {
                case (_, "/_ping"): EngineResponse(status: .ok, body: Array("OK".utf8))
                case (.GET, "/containers/web/json"):
                    EngineResponse(
                        status: .ok, headers: ["Content-Type": "application/json"],
                        body: Array(
                            #"{"Id":"web","Name":"/web","State":{"Status":"running","Running":true},"Config":{"Tty":false,"OpenStdin":true,"AttachStdin":true}}"#
                                .utf8))
                case (.POST, "/containers/web/wait"): .streaming(headers: ["Content-Type": "application/json"], exit)
                case (.POST, "/containers/web/attach"):
                    .hijacked(Hijack(socket: socket, contentType: "application/vnd.docker.multiplexed-stream"))
                default: EngineResponse.error(VICError(.notFound, "page not found"))
                }
            return response.withStandardHeaders(build)
        }
    }

    @Test("docker attach: stdin to the container, its stdout and stderr back, the exit code from wait",
        .enabled(if: InstalledClients.docker), .timeLimit(.minutes(1)))
    func dockerAttach() async throws {
        let pair = try SocketPair()
        let (exit, exitProducer) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        try await withTemporaryDirectory("vic-attach") { directory in
            let socketPath = directory + "/docker.sock"
            let server = EngineServer(
                logger: Logger(label: "test"), responder: Self.attachResponder(socket: pair.serverEnd, exit: exit))
            try await server.start([.unixSocket(path: socketPath)])
            do {
                try "hello\n".write(toFile: directory + "/stdin", atomically: true, encoding: .utf8)
                // The CLI sends the wait first and blocks until its head arrives, long before the body.
                async let attach = Self.run(
                    Self.docker, ["-H", "unix://" + socketPath, "attach", "web"], in: directory,
                    input: directory + "/stdin")
                try await RawConnection.with(socket: pair.testEnd) { shim in
                    // The CLI copies stdin, then half-closes.
                    #expect(String(decoding: try await shim.receiveToEnd(), as: UTF8.self) == "hello\n")
                    try await shim.send(
                        [1, 0, 0, 0, 0, 0, 0, 6] + Array("hello\n".utf8) + [2, 0, 0, 0, 0, 0, 0, 4] + Array("err\n".utf8))
                }
                exitProducer.yield(Array(#"{"Error":null,"StatusCode":3}"#.utf8) + [10])
                exitProducer.finish()
                let output = try await attach
                #expect(output.status == 3, "\(output.stderr)")
                #expect(output.stdout == "hello\n")
                #expect(output.stderr == "err\n")
                try await waitUntil("the connections are closed") { await server.openConnectionCount == 0 }
                #expect(!SocketPair.isOpen(inode: pair.serverInode))
            } catch {
                await server.shutdown(gracePeriod: .zero)
                throw error
            }
            await server.shutdown()
        }
    }
}
