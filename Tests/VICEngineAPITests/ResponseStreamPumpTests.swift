import Testing

@testable import VICEngineAPI

/// The loop that feeds a streamed body to the connection, without a connection.
@Suite("ResponseStreamPump", .timeLimit(.minutes(1)))
struct ResponseStreamPumpTests {
    typealias Stream = AsyncThrowingStream<[UInt8], any Error>

    @Test("Writes every non-empty element in order and reports the end")
    func finishes() async {
        let stream = Stream { continuation in
            for element in [[1], [], [2, 3]] as [[UInt8]] { continuation.yield(element) }
            continuation.finish()
        }
        var written: [[UInt8]] = []
        let outcome = await ResponseStreamPump.run(stream) { written.append($0); return true }
        #expect(written == [[1], [2, 3]])
        if case .finished = outcome {} else { Issue.record("outcome \(outcome)") }
    }

    @Test("A failed write terminates the stream: the producer sees .cancelled")
    func failedWrite() async {
        let (stream, producer) = Stream.makeStream()
        let (terminations, terminated) = AsyncStream<Stream.Continuation.Termination>.makeStream()
        producer.onTermination = { terminated.yield($0) }
        producer.yield([1])
        let outcome = await ResponseStreamPump.run(stream) { _ in false }
        if case .stopped = outcome {} else { Issue.record("outcome \(outcome)") }
        var iterator = terminations.makeAsyncIterator()
        let termination = await iterator.next()
        if case .cancelled = termination {} else { Issue.record("terminated with \(String(describing: termination))") }
    }

    @Test("Discarding an unread stream stops its producer")
    func discard() async {
        let (stream, producer) = Stream.makeStream()
        let (terminations, terminated) = AsyncStream<Stream.Continuation.Termination>.makeStream()
        producer.onTermination = { terminated.yield($0) }
        ResponseStreamPump.discard(stream)
        var iterator = terminations.makeAsyncIterator()
        let termination = await iterator.next()
        if case .cancelled = termination {} else { Issue.record("terminated with \(String(describing: termination))") }
    }
}
