import Logging
import NIOCore
import ServiceLifecycle
import VICCore

/// The embedded DNS server of the VCH appliance (vic-reference §3.4), as a service.
///
/// Listens on UDP and TCP at `listenAddress`:`port`, by default 0.0.0.0:53 in the appliance
/// namespace: the appliance firewall admits port 53 only from the bridge NICs, and the
/// wildcard serves bridge networks created later without rebinding. Containers' names come
/// from the directory source at each query; other names go to `upstreams`.
/// Privilege: CAP_NET_BIND_SERVICE for port 53. Side effects: two listening sockets, and one
/// short-lived UDP socket per forwarded query.
public final class DNSServer: Service, Sendable {
    /// Where to listen and whom to ask.
    public struct Configuration: Sendable {
        /// 0.0.0.0 in the appliance; 127.0.0.1 in tests.
        public var listenAddress: IPv4Address
        /// 0 picks an ephemeral port (tests); TCP then binds the same number as UDP.
        public var port: UInt16
        /// The VCH's resolvers, tried in turn.
        public var upstreams: [DNSUpstream]
        /// How long to wait for each upstream before trying the next.
        public var upstreamTimeout: Duration
        /// How many upstream replies the cache keeps.
        public var cacheCapacity: Int

        /// A configuration; the defaults are the appliance's.
        public init(listenAddress: IPv4Address = IPv4Address(0), port: UInt16 = 53, upstreams: [DNSUpstream],
                    upstreamTimeout: Duration = .seconds(2), cacheCapacity: Int = 1024) {
            self.listenAddress = listenAddress
            self.port = port
            self.upstreams = upstreams
            self.upstreamTimeout = upstreamTimeout
            self.cacheCapacity = cacheCapacity
        }
    }

    /// What it was started with.
    public let configuration: Configuration
    /// The query logic both listeners share.
    public let responder: DNSResponder
    let logger: Logger

    /// The appliance's server: 0.0.0.0:53, forwarding to `upstreams` on port 53.
    public convenience init(upstreams: [IPv4Address], logger: Logger, directory: any NameDirectorySource) {
        self.init(configuration: Configuration(upstreams: upstreams.map { DNSUpstream(address: $0) }),
                  logger: logger, directory: directory)
    }

    /// A server with an injectable transport toward the upstreams. Container names are
    /// answered on the receiving thread while `directory` has a current snapshot.
    public init(configuration: Configuration, transport: any DNSUpstreamTransport = UDPUpstreamTransport(),
                logger: Logger, directory: any NameDirectorySource) {
        self.configuration = configuration
        self.logger = logger
        self.responder = DNSResponder(
            upstreams: configuration.upstreams, timeout: configuration.upstreamTimeout, transport: transport,
            cache: ResponseCache(capacity: configuration.cacheCapacity), logger: logger, directory: directory)
    }

    /// Binds both listeners and starts answering; the caller closes them.
    public func start() async throws -> DNSListeners {
        let address = configuration.listenAddress
        // With an ephemeral port, TCP may find UDP's number taken: try a few.
        var attempts = configuration.port == 0 ? 5 : 1
        var bound: (PacketInfoSocket, any Channel)?
        while bound == nil {
            attempts -= 1
            let socket = try PacketInfoSocket(address: address, port: configuration.port)
            do {
                bound = (socket, try await TCPListener.bind(address: address, port: socket.localPort,
                                                            responder: responder, logger: logger))
            } catch {
                socket.close()
                if attempts == 0 { throw error }
            }
        }
        guard let (socket, tcp) = bound else { throw VICError(.internal, "DNS listeners not bound") }
        let udp = UDPListener(socket: socket, responder: responder, logger: logger)
        udp.start()
        logger.info("DNS server listening on \(address):\(socket.localPort) (UDP and TCP)")
        return DNSListeners(port: socket.localPort, udp: udp, tcp: tcp)
    }

    /// Serves until graceful shutdown or cancellation.
    public func run() async throws {
        let listeners = try await start()
        try? await gracefulShutdown()
        await listeners.close()
    }
}

/// The bound listeners of a started `DNSServer`.
public final class DNSListeners: Sendable {
    /// The port both listeners are bound to.
    public let port: UInt16
    let udp: UDPListener
    let tcp: any Channel

    init(port: UInt16, udp: UDPListener, tcp: any Channel) {
        self.port = port
        self.udp = udp
        self.tcp = tcp
    }

    /// Stops listening on both transports. Replies in flight may be lost.
    public func close() async {
        try? await tcp.close()
        await udp.stop()
    }
}
