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
                    try channel.pipeline.syncOperations.addHandler(FramedReply(promise: promise))
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
        var framed = ByteBuffer()
        framed.writeInteger(UInt16(query.count))
        framed.writeBytes(query)
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

    final class FramedReply: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let promise: EventLoopPromise<[UInt8]>
        // Touched on the channel's event loop only.
        var received = ByteBuffer()
        init(promise: EventLoopPromise<[UInt8]>) { self.promise = promise }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = unwrapInboundIn(data)
            received.writeBuffer(&chunk)
            if let length = received.getInteger(at: received.readerIndex, as: UInt16.self),
               received.readableBytes >= 2 + Int(length),
               let body = received.getBytes(at: received.readerIndex + 2, length: Int(length)) {
                promise.succeed(body)
            }
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
