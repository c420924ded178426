import Logging
import NIOCore
import NIOPosix
import VICCore

/// The TCP adapter (RFC 7766): each message is framed by a 2-byte length; queries on one
/// connection are answered as they complete, possibly out of order. Idle connections close
/// after `idleTimeout`.
enum TCPListener {
    static let idleTimeout = TimeAmount.seconds(10)

    static func bind(address: IPv4Address, port: UInt16, responder: DNSResponder, logger: Logger,
                     group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> any Channel {
        do {
            return try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 64)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            IdleStateHandler(readTimeout: idleTimeout),
                            ByteToMessageHandler(DNSFraming.LengthPrefixDecoder()),
                            QueryHandler(responder: responder),
                        ])
                    }
                }
                .bind(host: address.description, port: Int(port)).get()
        } catch {
            throw VICError(.unavailable, "bind TCP \(address):\(port) for DNS", underlying: error)
        }
    }

    /// Answers each framed query through the responder and writes the framed reply.
    final class QueryHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let responder: DNSResponder

        init(responder: DNSResponder) { self.responder = responder }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let query = Array(unwrapInboundIn(data).readableBytesView)
            let channel = context.channel
            guard let ip = channel.remoteAddress?.ipAddress, let client = IPv4Address(ip) else {
                context.close(promise: nil)
                return
            }
            // Container names and cache hits: answered on the event loop; forwarding in a task.
            switch responder.respondImmediately(to: query, from: client, overUDP: false) {
            case .answered(let reply):
                if let reply { Self.write(reply, to: channel) }
            case .pending(let pending):
                let responder = responder
                Task { Self.write(await responder.complete(pending), to: channel) }
            }
        }

        /// Writes `reply` with its 2-byte length; a reply too long to frame is dropped.
        static func write(_ reply: [UInt8], to channel: any Channel) {
            guard let framed = DNSFraming.framed(reply) else { return }
            channel.writeAndFlush(framed, promise: nil)
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is IdleStateHandler.IdleStateEvent {
                context.close(promise: nil)
            } else {
                context.fireUserInboundEventTriggered(event)
            }
        }
    }
}
