import NIOCore

/// A request body read as it arrives, for the routes whose bodies can be larger than memory
/// (`docker load`, `docker import`, `docker cp` into a container): an async sequence of the
/// body's parts, in order, with backpressure.
///
/// The server yields each part to an `NIOThrowingAsyncSequenceProducer` and holds back the
/// connection's reads while the consumer is more than `highWatermark` parts behind, until it is
/// down to `lowWatermark` (see `RequestBodyBackpressure`). A part is what one socket read
/// decodes to, at most 64 KiB (NIO's receive allocator), so at most about
/// `highWatermark × 64 KiB` of body is buffered whatever the body's size.
///
/// Why a stream and not a spill to a file in the server: the server stays unaware of storage,
/// and each route decides where the bytes go (`docker load` stages them as they arrive, see
/// `write(to:naming:)` and `Router.stagingBody`).
///
/// - The sequence ends normally only after the whole body arrived (by `Content-Length` or the
///   last chunk). A client that disconnects or half-closes before the end, or a response sent
///   before the body was read, makes `next()` throw, so a consumer never mistakes a truncated
///   body for a whole one. A cancelled consumer task also throws (`CancellationError`).
/// - One consumer: iterate it once.
public struct EngineRequestBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    typealias Producer = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark,
        EngineHTTPHandler.UploadDelegate
    >

    private enum Backing: Sendable {
        case producer(Producer)
        case bytes([UInt8])
    }

    private let backing: Backing

    init(_ producer: Producer) { backing = .producer(producer) }

    /// A body already in memory (a buffered request, or a test's).
    public init(bytes: [UInt8]) { backing = .bytes(bytes) }

    public func makeAsyncIterator() -> AsyncIterator {
        switch backing {
        case .producer(let producer): AsyncIterator(.producer(producer.makeAsyncIterator()))
        case .bytes(let bytes): AsyncIterator(.bytes(bytes.isEmpty ? nil : ByteBuffer(bytes: bytes)))
        }
    }

    /// Yields the body's parts; throws when the body was cut short.
    public struct AsyncIterator: AsyncIteratorProtocol {
        enum Source {
            case producer(Producer.AsyncIterator)
            case bytes(ByteBuffer?)
        }

        var source: Source

        init(_ source: Source) { self.source = source }

        public mutating func next() async throws -> ByteBuffer? {
            switch source {
            case .producer(let iterator):
                let part = try await iterator.next()
                // The producer also ends a cancelled consumer's sequence: not a whole body.
                if part == nil { try Task.checkCancellation() }
                return part
            case .bytes(let bytes):
                source = .bytes(nil)
                return bytes
            }
        }
    }
}
