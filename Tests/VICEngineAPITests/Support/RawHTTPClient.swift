import NIOCore
import NIOPosix

/// Writes raw request bytes to a socket and reads until the server closes: no HTTP client in
/// between, so the test sees exactly what the server sends.
enum RawHTTPClient {
    enum Target: Sendable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    /// Sends `request` (which should end with a `Connection: close` request) and returns every
    /// byte received until end of stream.
    static func exchange(_ target: Target, _ request: String) async throws -> [UInt8] {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> = {
            channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
        let channel =
            switch target {
            case .tcp(let host, let port):
                try await bootstrap.connect(host: host, port: port, channelInitializer: initializer)
            case .unix(let path):
                try await bootstrap.connect(unixDomainSocketPath: path, channelInitializer: initializer)
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var received: [UInt8] = []
            for try await chunk in inbound {
                received += chunk.readableBytesView
            }
            return received
        }
    }

    /// A GET (or other bodiless) request that asks the server to close afterwards.
    static func request(_ method: String, _ path: String, close: Bool = true) -> String {
        "\(method) \(path) HTTP/1.1\r\nHost: docker\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n"
    }
}
