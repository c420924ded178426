#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import VICCore

/// The Docker Engine API server of a VCH: HTTP/1.1 with keep-alive on TCP (optionally TLS)
/// and Unix socket listeners, answering through a `Router` over an `EngineBackend`.
///
/// Responses are complete, streamed or hijacked (see `EngineResponse`). Each connection's
/// pipeline is `[NIOSSLServerHandler]`, then `addEngineHTTPHandlers` (NIO's HTTP/1.1 server
/// handlers and an `EngineHTTPHandler`); a hijack replaces the HTTP handlers with a
/// `HijackRelayHandler` partnered with one in the socket's channel. Shutdown closes hijacked
/// connections at once, and streamed responses when the grace period ends.
///
/// Lifecycle: `start(_:)` once, then `shutdown(gracePeriod:)` once. `start` returns when every
/// listener is bound, so the caller can report readiness.
public actor EngineServer {
    /// A listener once bound, with the address it got (the real port when asked for port 0).
    public struct BoundListener: Sendable {
        /// The listener as requested.
        public let listener: EngineListener
        /// The address actually bound.
        public let address: SocketAddress?

        /// The bound TCP port, if this is a TCP listener.
        public var port: Int? { address?.port }
    }

    private enum State {
        case idle
        case starting
        case running([(listener: EngineListener, channel: any Channel)])
        case stopping
        case stopped
    }

    /// The default bound on a buffered request body (the JSON routes): 16 MiB. Larger bodies get
    /// 413. The bodies of `docker load`, `docker import` and `docker cp` are streamed, unbounded
    /// (`EngineRequestBody`).
    public static let defaultMaxRequestBodySize = 16 << 20

    private let responder: EngineHTTPHandler.Responder
    private let build: EngineBuild
    private let logger: Logger
    private let group: any EventLoopGroup
    private let maxRequestBodySize: Int
    private let connections = ConnectionRegistry()
    private var state = State.idle

    /// A server over `backend`; nothing is bound until `start(_:)`.
    ///
    /// - Parameters:
    ///   - backend: The domain side every request is answered from.
    ///   - logger: For listener events and failed requests.
    ///   - build: Build facts for `/version` and the `Server` header.
    ///   - group: The event loops to run on; NIO's shared group by default.
    ///   - maxRequestBodySize: Buffered bodies larger than this are refused with 413.
    public init(
        backend: any EngineBackend, logger: Logger, build: EngineBuild = .development,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        maxRequestBodySize: Int = EngineServer.defaultMaxRequestBodySize
    ) {
        let router = Router(backend: backend, build: build, logger: logger)
        self.init(
            logger: logger, build: build, group: group, maxRequestBodySize: maxRequestBodySize,
            responder: { await router.handle($0) })
    }

    /// A server answering every request with `responder` instead of a router: for tests of the
    /// transport (streamed and hijacked responses).
    init(
        logger: Logger, build: EngineBuild = .development,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        maxRequestBodySize: Int = EngineServer.defaultMaxRequestBodySize,
        responder: @escaping EngineHTTPHandler.Responder
    ) {
        self.responder = responder
        self.build = build
        self.logger = logger
        self.group = group
        self.maxRequestBodySize = maxRequestBodySize
    }

    /// Binds every listener and starts accepting; returns once all are listening.
    ///
    /// Side effects: a Unix listener removes a stale socket file at its path and leaves a new
    /// one with mode 0660. Binding a TCP port below 1024 needs `CAP_NET_BIND_SERVICE`.
    ///
    /// - Returns: The bound listeners, in the order given.
    /// - Throws: `VICError` `.invalidState` when already started; `.invalidArgument` for
    ///   unreadable TLS files; `.unavailable` when an address cannot be bound. On failure
    ///   nothing stays bound.
    @discardableResult
    public func start(_ listeners: [EngineListener]) async throws -> [BoundListener] {
        guard case .idle = state else { throw VICError(.invalidState, "API server: already started") }
        state = .starting
        var bound: [(listener: EngineListener, channel: any Channel)] = []
        do {
            for listener in listeners {
                let channel = try await bind(listener)
                bound.append((listener, channel))
                logger.info("Docker API listening on \(channel.localAddress.map { "\($0)" } ?? "\(listener)")")
            }
        } catch {
            await close(bound)
            if case .starting = state { state = .idle }
            throw error
        }
        // `shutdown()` may have run while we were binding.
        guard case .starting = state else {
            await close(bound)
            throw VICError(.invalidState, "API server: shut down while starting")
        }
        state = .running(bound)
        return bound.map { BoundListener(listener: $0.listener, address: $0.channel.localAddress) }
    }

    /// Stops accepting, lets requests in flight finish (up to `gracePeriod`), then closes every
    /// connection and removes Unix socket files. Safe to call more than once.
    public func shutdown(gracePeriod: Duration = .seconds(10)) async {
        let bound: [(listener: EngineListener, channel: any Channel)]
        switch state {
        case .running(let channels): bound = channels
        case .idle, .starting: bound = []
        case .stopping, .stopped: return
        }
        state = .stopping
        // 1. Stop accepting.
        await close(bound)
        // 2. Ask each connection to close after its current response (or now, when idle).
        connections.quiesceAll()
        // 3. Wait for them, closing the stragglers when the grace period runs out.
        let open = connections.open
        let connections = self.connections
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                for channel in open { try? await channel.closeFuture.get() }
            }
            tasks.addTask {
                guard (try? await Task.sleep(for: gracePeriod)) != nil else { return }
                for channel in connections.open { channel.close(promise: nil) }
            }
            await tasks.next()
            tasks.cancelAll()
        }
        state = .stopped
        logger.info("Docker API stopped")
    }

    private func bind(_ listener: EngineListener) async throws -> any Channel {
        let sslContext: NIOSSLContext?
        if case .tcp(_, _, let tls?) = listener { sslContext = try tls.makeContext() } else { sslContext = nil }
        let responder = self.responder
        let build = self.build
        let maxBodySize = maxRequestBodySize
        let logger = self.logger
        let connections = self.connections
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // A client's half-close arrives as `inputClosed` instead of closing the connection:
            // a hijacked connection relays it (stdin EOF) and keeps sending output.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext {
                        try pipeline.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try pipeline.addEngineHTTPHandlers(
                        EngineHTTPHandler(build: build, maxBodySize: maxBodySize, logger: logger, responder: responder))
                    // Registered last, so a quiesce event finds the pipelining handler.
                    connections.register(channel)
                }
            }
        do {
            switch listener {
            case .tcp(let host, let port, _):
                bootstrap = bootstrap.childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                return try await bootstrap.bind(host: host, port: port).get()
            case .unixSocket(let path):
                let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
                guard chmod(path, 0o660) == 0 else {
                    let code = errno
                    channel.close(promise: nil)
                    throw VICError(.unavailable, "chmod 0660 \(path): errno \(code)")
                }
                return channel
            }
        } catch let error as VICError {
            throw error
        } catch {
            throw VICError(.unavailable, "listen on \(listener)", underlying: error)
        }
    }

    /// How many connections are open, hijacked ones included (for tests).
    var openConnectionCount: Int { connections.open.count }

    private func close(_ bound: [(listener: EngineListener, channel: any Channel)]) async {
        for (listener, channel) in bound {
            try? await channel.close()
            if case .unixSocket(let path) = listener {
                unlink(path)
            }
        }
    }
}
