import NIOPosix

/// Runs a blocking call off the cooperative pool, on NIO's shared thread pool.
enum NIOThreadPoolSupport {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
