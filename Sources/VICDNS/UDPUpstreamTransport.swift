import NIOCore
import NIOPosix
import VICCore

/// Forwards over UDP from a fresh socket per query (and over TCP, `exchangeOverTCP`, for an
/// answer that came back truncated): a random source port on top of the random
/// ID, and a reply can only arrive on the socket of its own query. Replies that
/// `UpstreamReplyFilter` rejects are ignored while the wait goes on.
public struct UDPUpstreamTransport: DNSUpstreamTransport {
    /// The local address to send from: 0.0.0.0 in the appliance, 127.0.0.1 in tests.
    public let bindAddress: IPv4Address
    let group: any EventLoopGroup

    /// A transport sending from `bindAddress` on `group`.
    public init(bindAddress: IPv4Address = IPv4Address(0), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.bindAddress = bindAddress
        self.group = group
    }

    /// Binds a socket, sends, waits for an accepted reply or the timeout, closes the socket.
    public func exchange(_ query: [UInt8], with upstream: DNSUpstream, timeout: Duration) async throws -> [UInt8] {
        guard let filter = UpstreamReplyFilter(query: query, upstream: upstream) else {
            throw VICError(.invalidArgument, "forward DNS query: shorter than a header")
        }
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: [UInt8].self)
        let channel: any Channel
        do {
            channel = try await DatagramBootstrap(group: eventLoop)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ReplyHandler(filter: filter, promise: promise))
                    }
                }
                .bind(host: bindAddress.description, port: 0).get()
        } catch {
            promise.fail(error)
            throw VICError(.unavailable, "forward DNS query: bind a socket", underlying: error)
        }
        return try await Self.send(on: channel, awaiting: promise, from: upstream, within: timeout) {
            let remote = try SocketAddress(ipAddress: upstream.address.description, port: Int(upstream.port))
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: query)))
        }
    }

    /// Runs `send`, then waits for `promise` (completed by the channel's reply handler) until
    /// `timeout`; closes `channel` in every case.
    static func send(on channel: any Channel, awaiting promise: EventLoopPromise<[UInt8]>, from upstream: DNSUpstream,
                     within timeout: Duration, _ send: () async throws -> Void) async throws -> [UInt8] {
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            promise.fail(VICError(.unavailable, "DNS upstream \(upstream) did not answer in \(timeout)"))
        }
        defer {
            timer.cancel()
            channel.close(promise: nil)
        }
        do {
            try await send()
        } catch {
            promise.fail(error)
            throw VICError(.unavailable, "send DNS query to \(upstream)", underlying: error)
        }
        return try await promise.futureResult.get()
    }

    /// Completes the promise with the first accepted reply.
    final class ReplyHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let filter: UpstreamReplyFilter
        let promise: EventLoopPromise<[UInt8]>

        init(filter: UpstreamReplyFilter, promise: EventLoopPromise<[UInt8]>) {
            self.filter = filter
            self.promise = promise
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            guard let ip = envelope.remoteAddress.ipAddress, let address = IPv4Address(ip),
                  let port = envelope.remoteAddress.port, let port16 = UInt16(exactly: port)
            else { return }
            let reply = Array(envelope.data.readableBytesView)
            if filter.accepts(reply, from: DNSUpstream(address: address, port: port16)) { promise.succeed(reply) }
        }
    }
}
