import NIOCore
import NIOPosix
import Synchronization
import VICCore
@testable import VICDNS

/// Test clients and a fake upstream, all on loopback.
enum LoopbackDNS {
    static let group = MultiThreadedEventLoopGroup.singleton

    /// Sends `query` over UDP from 127.0.0.1 to `server`:`port` and returns the first reply
    /// from exactly that address and port, with where it came from. The generous timeout is
    /// for a loaded CI machine: the whole suite runs in one process on two cores, and a reply
    /// that needs a task (forwarding, SERVFAIL after the upstream timeout) waits for a thread.
    static func udpQuery(_ query: [UInt8], to server: String = "127.0.0.1", port: UInt16,
                         timeout: TimeAmount = .seconds(15)) async throws -> [UInt8] {
        let promise = group.next().makePromise(of: [UInt8].self)
        let expected = try SocketAddress(ipAddress: server, port: Int(port))
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FirstReply(from: expected, promise: promise))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(VICError(.unavailable, "no UDP reply from \(server):\(port)"))
        }
        defer {
            timer.cancel()
            channel.close(promise: nil)
        }
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: expected, data: ByteBuffer(bytes: query)))
        return try await promise.futureResult.get()
    }

    /// Sends `query` over TCP with its 2-byte length and returns the framed reply's body.
    static func tcpQuery(_ query: [UInt8], port: UInt16, timeout: TimeAmount = .seconds(15)) async throws -> [UInt8] {
        let promise = group.next().makePromise(of: [UInt8].self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(DNSFraming.LengthPrefixDecoder()), FramedReply(promise: promise),
                    ])
                }
            }
            .connect(host: "127.0.0.1", port: Int(port)).get()
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(VICError(.unavailable, "no TCP reply on port \(port)"))
        }
        defer {
            timer.cancel()
            channel.close(promise: nil)
        }
        guard let framed = DNSFraming.framed(query) else { throw VICError(.invalidArgument, "query too long to frame") }
        try await channel.writeAndFlush(framed)
        return try await promise.futureResult.get()
    }

    final class FirstReply: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let expected: SocketAddress
        let promise: EventLoopPromise<[UInt8]>
        init(from expected: SocketAddress, promise: EventLoopPromise<[UInt8]>) {
            self.expected = expected
            self.promise = promise
        }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            if envelope.remoteAddress == expected { promise.succeed(Array(envelope.data.readableBytesView)) }
        }
    }

    final class FramedReply: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let promise: EventLoopPromise<[UInt8]>
        init(promise: EventLoopPromise<[UInt8]>) { self.promise = promise }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            promise.succeed(Array(unwrapInboundIn(data).readableBytesView))
        }
    }
}

/// A fake upstream DNS server on 127.0.0.x: answers every A question with `address`, or stays
/// silent, and counts the queries it received.
final class FakeUpstream: Sendable {
    final class Counter: Sendable {
        let value = Mutex(0)
    }

    let channel: any Channel
    let queries = Counter()
    let host: String

    var port: UInt16 { UInt16(channel.localAddress?.port ?? 0) }
    var upstream: DNSUpstream { DNSUpstream(address: IPv4Address(host)!, port: port) }
    var queryCount: Int { queries.value.withLock { $0 } }

    init(host: String = "127.0.0.1", port: UInt16 = 0, answering address: IPv4Address?, ttl: UInt32 = 60) async throws {
        let queries = self.queries
        self.host = host
        self.channel = try await DatagramBootstrap(group: LoopbackDNS.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        Answerer(address: address, ttl: ttl, queries: queries))
                }
            }
            .bind(host: host, port: Int(port)).get()
    }

    func close() async { try? await channel.close() }

    /// Runs `body` with a fake upstream, closing it afterwards even when `body` throws.
    static func with<T>(host: String = "127.0.0.1", port: UInt16 = 0, answering address: IPv4Address?,
                        _ body: (FakeUpstream) async throws -> T) async throws -> T {
        let fake = try await FakeUpstream(host: host, port: port, answering: address)
        do {
            let result = try await body(fake)
            await fake.close()
            return result
        } catch {
            await fake.close()
            throw error
        }
    }

    final class Answerer: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        let address: IPv4Address?
        let ttl: UInt32
        let queries: Counter
        init(address: IPv4Address?, ttl: UInt32, queries: Counter) {
            self.address = address
            self.ttl = ttl
            self.queries = queries
        }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            queries.value.withLock { $0 += 1 }
            guard let address, var message = try? DNSMessage(decoding: Array(envelope.data.readableBytesView)),
                  let question = message.questions.first
            else { return }
            message.header.isResponse = true
            message.header.recursionAvailable = true
            message.additionals = []
            message.answers = [.address(question.name, address, ttl: ttl)]
            let reply = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: message.encoded))
            context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
        }
    }
}

/// A fake upstream on 127.0.0.x that answers every A question with `address` over TCP, and
/// over UDP only with an empty truncated reply (TC): the answer "does not fit" in a datagram.
final class TruncatingUpstream: Sendable {
    let udp: any Channel
    let tcp: any Channel
    let tcpQueries = FakeUpstream.Counter()
    let host: String

    var upstream: DNSUpstream { DNSUpstream(address: IPv4Address(host)!, port: UInt16(udp.localAddress?.port ?? 0)) }
    var tcpQueryCount: Int { tcpQueries.value.withLock { $0 } }

    init(host: String, answering address: IPv4Address) async throws {
        self.host = host
        udp = try await DatagramBootstrap(group: LoopbackDNS.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Truncator())
                }
            }
            .bind(host: host, port: 0).get()
        let counter = tcpQueries
        tcp = try await ServerBootstrap(group: LoopbackDNS.group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(DNSFraming.LengthPrefixDecoder()), FramedAnswerer(address: address, queries: counter),
                    ])
                }
            }
            .bind(host: host, port: udp.localAddress?.port ?? 0).get()
    }

    func close() async {
        try? await udp.close()
        try? await tcp.close()
    }

    static func reply(to bytes: [UInt8], answering address: IPv4Address?) -> [UInt8]? {
        guard var message = try? DNSMessage(decoding: bytes), let question = message.questions.first else { return nil }
        message.header.isResponse = true
        message.header.recursionAvailable = true
        message.additionals = []
        if let address {
            message.answers = [.address(question.name, address, ttl: 60)]
        } else {
            message.header.isTruncated = true
        }
        return message.encoded
    }

    final class Truncator: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            guard let reply = TruncatingUpstream.reply(to: Array(envelope.data.readableBytesView), answering: nil) else { return }
            context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: reply))),
                                  promise: nil)
        }
    }

    final class FramedAnswerer: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let address: IPv4Address
        let queries: FakeUpstream.Counter
        init(address: IPv4Address, queries: FakeUpstream.Counter) {
            self.address = address
            self.queries = queries
        }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let query = Array(unwrapInboundIn(data).readableBytesView)
            guard let reply = TruncatingUpstream.reply(to: query, answering: address),
                  let framed = DNSFraming.framed(reply) else { return }
            queries.value.withLock { $0 += 1 }
            context.writeAndFlush(wrapOutboundOut(framed), promise: nil)
        }
    }
}
