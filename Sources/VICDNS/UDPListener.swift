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
/// and sends each reply from the address the query was sent to. What the responder answers at
/// once (container names, cache hits) is answered on that thread; the rest (forwarding) is
/// finished in a task, at most `maximumInFlight` at once; more are dropped, as a loaded DNS
/// server does.
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
        socket.interrupt()
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
            // Container names and cache hits: answered here, with no task and no actor hop.
            switch responder.respondImmediately(to: datagram.bytes, from: datagram.sender, overUDP: true) {
            case .answered(let reply):
                if let reply { send(reply, answering: datagram) }
            case .pending(let pending):
                complete(pending, answering: datagram)
            }
        }
    }

    /// Finishes `pending` in a task, if fewer than `maximumInFlight` are; else drops it.
    func complete(_ pending: PendingQuery, answering datagram: ReceivedDatagram) {
        let admitted = state.withLock { state -> Bool in
            guard state.inFlight < maximumInFlight else { return false }
            state.inFlight += 1
            return true
        }
        guard admitted else { return }
        Task { [self] in
            defer { state.withLock { $0.inFlight -= 1 } }
            send(await responder.complete(pending), answering: datagram)
        }
    }

    func send(_ reply: [UInt8], answering datagram: ReceivedDatagram) {
        do {
            try socket.send(reply, to: datagram.sender, port: datagram.senderPort, from: datagram.localAddress)
        } catch {
            logger.debug("DNS: \(error)")
        }
    }
}
