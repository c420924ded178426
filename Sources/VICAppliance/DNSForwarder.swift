import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import VICCore

/// Answers containers' DNS queries on each bridge gateway (UDP 53) by forwarding them to the
/// VCH's upstream servers, round-robin, with a 4 s timeout; SERVFAIL when there is no upstream.
/// Runs in the appliance namespace only. Names of containers come with the networks work (VICDNS).
public final class DNSForwarder: Service, Sendable {
    let listenAddresses: [IPv4Address]
    let upstreams: [IPv4Address]
    let logger: Logger
    let state = NIOLockedValueBox(State())

    struct Pending {
        var server: SocketAddress
        var client: SocketAddress
        var originalID: UInt16
        var listener: any Channel
        var deadline: NIODeadline
    }

    struct State {
        var random = SystemRandomNumberGenerator()
        var nextUpstream = 0
        var pending: [UInt16: Pending] = [:]
    }

    public init(listenAddresses: [IPv4Address], upstreams: [IPv4Address], logger: Logger) {
        self.listenAddresses = listenAddresses
        self.upstreams = upstreams
        self.logger = logger
    }

    public func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let upstream = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.pipeline.addHandler(UpstreamHandler(forwarder: self))
            }
            .bind(host: "0.0.0.0", port: 0).get()
        var listeners: [any Channel] = []
        for address in listenAddresses {
            let channel = try await DatagramBootstrap(group: group)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelInitializer { channel in
                    channel.pipeline.addHandler(QueryHandler(forwarder: self, upstream: upstream))
                }
                .bind(host: address.description, port: 53).get()
            listeners.append(channel)
            logger.info("DNS forwarder listening on \(address):53")
        }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                let now = NIODeadline.now()
                self.state.withLockedValue { $0.pending = $0.pending.filter { $0.value.deadline > now } }
            }
        }
        for channel in listeners + [upstream] { try? await channel.close() }
    }

    /// Rewrites the query's ID, remembers the client, and picks the next upstream.
    func forward(_ query: ByteBuffer, from client: SocketAddress, listener: any Channel) -> (ByteBuffer, SocketAddress)? {
        guard !upstreams.isEmpty, query.readableBytes >= 12, let originalID = query.getInteger(at: query.readerIndex, as: UInt16.self)
        else { return nil }
        let server = state.withLockedValue { state -> IPv4Address in
            defer { state.nextUpstream &+= 1 }
            return upstreams[state.nextUpstream % upstreams.count]
        }
        guard let address = try? SocketAddress(ipAddress: server.description, port: 53) else { return nil }
        // Random, unused IDs: an off-path sender cannot guess which reply we wait for.
        let id = state.withLockedValue { state -> UInt16 in
            var id = UInt16.random(in: 1...UInt16.max, using: &state.random)
            while state.pending[id] != nil { id = UInt16.random(in: 1...UInt16.max, using: &state.random) }
            state.pending[id] = Pending(server: address, client: client, originalID: originalID, listener: listener,
                                        deadline: .now() + .seconds(4))
            return id
        }
        var rewritten = query
        rewritten.setInteger(id, at: rewritten.readerIndex)
        return (rewritten, address)
    }

    /// Relays an upstream reply to the client that asked, if it comes from the server asked.
    func answer(_ reply: ByteBuffer, from sender: SocketAddress) {
        guard let id = reply.getInteger(at: reply.readerIndex, as: UInt16.self),
              let pending = state.withLockedValue({ state -> Pending? in
                  guard let pending = state.pending[id], pending.server == sender else { return nil }
                  state.pending[id] = nil
                  return pending
              }) else { return }
        var restored = reply
        restored.setInteger(pending.originalID, at: restored.readerIndex)
        pending.listener.writeAndFlush(AddressedEnvelope(remoteAddress: pending.client, data: restored), promise: nil)
    }

    /// SERVFAIL for `query`: the same ID and question, QR set, RCODE 2, no records.
    static func serverFailure(for query: ByteBuffer) -> ByteBuffer? {
        guard query.readableBytes >= 12, let flags = query.getInteger(at: query.readerIndex + 2, as: UInt16.self) else { return nil }
        var reply = query
        reply.setInteger((flags | 0x8000 | 0x0080) & 0xFFF0 | 0x0002, at: reply.readerIndex + 2)
        for offset in [6, 8, 10] { reply.setInteger(UInt16(0), at: reply.readerIndex + offset) }
        return reply
    }

    final class QueryHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        let forwarder: DNSForwarder
        let upstream: any Channel

        init(forwarder: DNSForwarder, upstream: any Channel) {
            self.forwarder = forwarder
            self.upstream = upstream
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            if let (query, server) = forwarder.forward(envelope.data, from: envelope.remoteAddress, listener: context.channel) {
                upstream.writeAndFlush(AddressedEnvelope(remoteAddress: server, data: query), promise: nil)
            } else if let failure = DNSForwarder.serverFailure(for: envelope.data) {
                context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: failure)), promise: nil)
            }
        }
    }

    final class UpstreamHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let forwarder: DNSForwarder

        init(forwarder: DNSForwarder) { self.forwarder = forwarder }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            forwarder.answer(envelope.data, from: envelope.remoteAddress)
        }
    }
}
