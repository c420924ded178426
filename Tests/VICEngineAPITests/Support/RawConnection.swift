#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// A raw byte connection for live tests, kept open across exchanges: send, receive exactly what
/// a condition needs, half-close, read to end of file. Over TCP, a Unix socket, TLS, or a socket
/// descriptor the test already holds (its end of a `socketpair`).
///
/// Half-closure is allowed both ways, so the peer's `SHUT_WR` ends `receiveToEnd()` while this
/// side can still send. Every wait gives up after `timeout` by closing the connection, so a
/// broken server fails the test instead of hanging it.
final class RawConnection {
    enum Target: Sendable {
        case tcp(port: Int)
        case unix(path: String)
    }

    struct Closed: Error, CustomStringConvertible {
        var received: [UInt8]
        var description: String { "connection ended after \(received.count) unread bytes: \(String(decoding: received, as: UTF8.self))" }
    }

    private let channel: any Channel
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let timeout: Duration
    /// Received and not yet consumed.
    private(set) var unread: [UInt8] = []

    private init(channel: any Channel, inbound: NIOAsyncChannelInboundStream<ByteBuffer>, timeout: Duration) {
        self.channel = channel
        self.inbound = inbound.makeAsyncIterator()
        self.timeout = timeout
    }

    /// Connects to `target` (with TLS when `tls` is given), runs `body`, then closes.
    static func with<Result>(
        _ target: Target, tls: NIOSSLContext? = nil, timeout: Duration = .seconds(20),
        _ body: (RawConnection) async throws -> Result
    ) async throws -> Result {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> = {
            channel in
            channel.eventLoop.makeCompletedFuture {
                if let tls {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: nil))
                }
                return try wrap(channel)
            }
        }
        let channel =
            switch target {
            case .tcp(let port): try await bootstrap.connect(host: "127.0.0.1", port: port, channelInitializer: initializer)
            case .unix(let path): try await bootstrap.connect(unixDomainSocketPath: path, channelInitializer: initializer)
            }
        return try await run(channel, timeout: timeout, body)
    }

    /// Takes over the connected stream socket `descriptor` (and closes it at the end).
    static func with<Result>(
        socket descriptor: Int32, timeout: Duration = .seconds(20), _ body: (RawConnection) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .withConnectedSocket(descriptor) { channel in
                channel.eventLoop.makeCompletedFuture { try wrap(channel) }
            }
        return try await run(channel, timeout: timeout, body)
    }

    private static func wrap(_ channel: any Channel) throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try NIOAsyncChannel(
            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
    }

    private static func run<Result>(
        _ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, timeout: Duration,
        _ body: (RawConnection) async throws -> Result
    ) async throws -> Result {
        // Sends go through the channel directly, to wait until they are written.
        try await channel.executeThenClose { inbound, _ in
            try await body(RawConnection(channel: channel.channel, inbound: inbound, timeout: timeout))
        }
    }

    /// Sends `text`; returns once it is written to the socket, so a close right after loses nothing
    /// (and so a large send only returns once the peer reads).
    func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    /// Sends `bytes`; returns once they are written to the socket.
    func send(_ bytes: [UInt8]) async throws {
        let channel = self.channel
        try await withTimeout { try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get() }
    }

    /// Shuts down the sending side (`SHUT_WR`, or TLS close_notify then `SHUT_WR`).
    func finishSending() async throws {
        try await channel.close(mode: .output).get()
    }

    /// Makes the close at the end of the connection's scope a reset (`SO_LINGER` 0): a client that
    /// is gone, as opposed to one that only shut down its sending side.
    func resetOnClose() async throws {
        let provider = try #require(channel as? any SocketOptionProvider)
        try await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
    }

    /// Receives until `complete` finds a whole unit at the front of the unread bytes (it returns
    /// the unit's length), and consumes that unit.
    func receive(until complete: ([UInt8]) -> Int?) async throws -> [UInt8] {
        try await withTimeout {
            while true {
                if let length = complete(unread) {
                    let unit = Array(unread.prefix(length))
                    unread.removeFirst(length)
                    return unit
                }
                guard let buffer = try await inbound.next() else { throw Closed(received: unread) }
                unread += buffer.readableBytesView
            }
        }
    }

    /// Receives exactly `count` bytes.
    func receive(count: Int) async throws -> [UInt8] {
        try await receive { $0.count >= count ? count : nil }
    }

    /// Receives exactly `count` bytes as UTF-8 text.
    func receiveText(count: Int) async throws -> String {
        String(decoding: try await receive(count: count), as: UTF8.self)
    }

    /// Receives a response head (through the blank line) and parses it.
    func receiveHead() async throws -> RawResponse {
        let head = try await receive { bytes in
            let separator = Array("\r\n\r\n".utf8)
            guard bytes.count >= 4 else { return nil }
            return (0...(bytes.count - 4)).first { Array(bytes[$0..<$0 + 4]) == separator }.map { $0 + 4 }
        }
        guard let (response, _) = RawResponse.parse(head, bodyless: true) else { throw Closed(received: head) }
        return response
    }

    /// Receives everything up to end of file.
    func receiveToEnd() async throws -> [UInt8] {
        try await withTimeout {
            while let buffer = try await inbound.next() {
                unread += buffer.readableBytesView
            }
            defer { unread = [] }
            return unread
        }
    }

    struct TimedOut: Error {}

    /// Runs `body`; if it takes longer than `timeout`, the channel is closed, which ends it, and
    /// `TimedOut` is thrown.
    private func withTimeout<Value>(_ body: () async throws -> Value) async throws -> Value {
        let channel = self.channel
        let timeout = self.timeout
        let watchdog = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return false }
            channel.close(promise: nil)
            return true
        }
        let result = try await body()
        watchdog.cancel()
        if await watchdog.value { throw TimedOut() }
        return result
    }
}
