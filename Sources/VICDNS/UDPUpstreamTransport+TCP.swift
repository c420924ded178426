import NIOCore
import NIOPosix
import VICCore

extension UDPUpstreamTransport {
    /// `DNSUpstreamTransport.exchangeOverTCP`: one connection per query, from `bindAddress`; the
    /// reply must pass the same `UpstreamReplyFilter` as over UDP.
    public func exchangeOverTCP(_ query: [UInt8], with upstream: DNSUpstream, timeout: Duration) async throws -> [UInt8] {
        guard let filter = UpstreamReplyFilter(query: query, upstream: upstream) else {
            throw VICError(.invalidArgument, "forward DNS query over TCP: shorter than a header")
        }
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: [UInt8].self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(TimeAmount(timeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            ByteToMessageHandler(DNSFraming.LengthPrefixDecoder()),
                            FramedReplyHandler(filter: filter, upstream: upstream, promise: promise),
                        ])
                    }
                }
                .bind(to: try SocketAddress(ipAddress: bindAddress.description, port: 0))
                .connect(host: upstream.address.description, port: Int(upstream.port)).get()
        } catch {
            promise.fail(error)
            throw VICError(.unavailable, "connect to DNS upstream \(upstream) over TCP", underlying: error)
        }
        return try await Self.send(on: channel, awaiting: promise, from: upstream, within: timeout) {
            guard let framed = DNSFraming.framed(query) else { throw VICError(.invalidArgument, "DNS query too long for TCP") }
            try await channel.writeAndFlush(framed)
        }
    }

    /// Completes the promise with the first message, if the filter accepts it; fails it when
    /// the connection closes first.
    final class FramedReplyHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let filter: UpstreamReplyFilter
        let upstream: DNSUpstream
        let promise: EventLoopPromise<[UInt8]>

        init(filter: UpstreamReplyFilter, upstream: DNSUpstream, promise: EventLoopPromise<[UInt8]>) {
            self.filter = filter
            self.upstream = upstream
            self.promise = promise
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let reply = Array(unwrapInboundIn(data).readableBytesView)
            if filter.accepts(reply, from: upstream) {
                promise.succeed(reply)
            } else {
                promise.fail(VICError(.unavailable, "DNS upstream \(upstream) sent another answer over TCP"))
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.fail(VICError(.unavailable, "DNS upstream \(upstream) closed the TCP connection without an answer"))
        }
    }
}
