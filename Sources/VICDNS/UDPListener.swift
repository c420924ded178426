#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import NIOPosix
import Synchronization
import VICCore

/// The UDP adapter: receives on a `DNSDatagramSocket` on its own thread (the receive blocks),
/// hands each query to the responder in a task, and sends the reply from the address the
/// query was sent to. At most `maximumInFlight` queries are answered at once; more are dropped,
/// as a loaded DNS server does.
final class UDPListener: Sendable {
    let socket: any DNSDatagramSocket
    let responder: DNSResponder
    let logger: Logger
    let maximumInFlight = 256
    let state = Mutex(State())
    let thread = NIOThreadPool(numberOfThreads: 1)

    struct State {
        var stopping = false
        var inFlight = 0
    }

    init(socket: any DNSDatagramSocket, responder: DNSResponder, logger: Logger) {
        self.socket = socket
        self.responder = responder
        self.logger = logger
    }

    func start() {
        thread.start()
        thread.submit { [self] _ in receiveLoop() }
    }

    /// Stops receiving (within one poll interval), then closes the socket.
    func stop() async {
        state.withLock { $0.stopping = true }
        try? await thread.shutdownGracefully()
        socket.close()
    }

    func receiveLoop() {
        while !state.withLock({ $0.stopping }) {
            let datagram: ReceivedDatagram?
            do {
                datagram = try socket.receive()
            } catch {
                logger.warning("DNS: \(error)")
                // Do not spin on a persistent error.
                usleep(50_000)
                continue
            }
            guard let datagram else { continue }
            let admitted = state.withLock { state -> Bool in
                guard state.inFlight < maximumInFlight else { return false }
                state.inFlight += 1
                return true
            }
            guard admitted else { continue }
            Task { [self] in
                defer { state.withLock { $0.inFlight -= 1 } }
                guard let reply = await responder.respond(to: datagram.bytes, from: datagram.sender, overUDP: true)
                else { return }
                do {
                    try socket.send(reply, to: datagram.sender, port: datagram.senderPort, from: datagram.localAddress)
                } catch {
                    logger.debug("DNS: \(error)")
                }
            }
        }
    }
}
