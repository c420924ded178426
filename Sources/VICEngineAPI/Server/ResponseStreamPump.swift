/// Drives a streamed response body: takes each element, hands it to a writer and waits for the
/// write before taking the next, so a slow client slows the producer instead of filling memory.
///
/// Every way out except the producer finishing terminates the stream, so the producer's
/// `onTermination` runs (with `.cancelled`) and it can stop its work: the task being cancelled
/// (the client went away) and the writer refusing a chunk (the connection failed).
enum ResponseStreamPump {
    /// How a pump ended.
    enum Outcome: Sendable {
        /// The producer finished; every element was written.
        case finished
        /// The producer threw.
        case failed(any Error)
        /// The task was cancelled or a write failed; the stream has been terminated.
        case stopped
    }

    /// Writes every non-empty element of `stream` with `write`, which returns `false` when the
    /// element could not be written (the connection is gone).
    static func run(
        _ stream: AsyncThrowingStream<[UInt8], any Error>, write: ([UInt8]) async -> Bool
    ) async -> Outcome {
        var iterator = stream.makeAsyncIterator()
        do {
            while true {
                // In a cancelled task, `next()` terminates the stream (its cancellation handler
                // runs at once) and fires the producer's `onTermination`.
                let element = try await iterator.next()
                if Task.isCancelled { return .stopped }
                guard let element else { return .finished }
                // An empty chunk would read as the end of a chunked body.
                if element.isEmpty { continue }
                if await !write(element) {
                    withUnsafeCurrentTask { $0?.cancel() }
                }
            }
        } catch {
            return Task.isCancelled ? .stopped : .failed(error)
        }
    }

    /// Terminates `stream` without reading it, for a response that will not be sent (the
    /// connection is gone, or the request was `HEAD`): the producer's `onTermination` runs.
    static func discard(_ stream: AsyncThrowingStream<[UInt8], any Error>) {
        let task = Task { _ = await run(stream) { _ in false } }
        task.cancel()
    }
}
