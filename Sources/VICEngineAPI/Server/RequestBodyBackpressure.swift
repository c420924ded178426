/// Whether the connection may read while a streamed request body is being consumed: the pure
/// half of `EngineHTTPHandler`'s upload flow control, kept apart from the channel.
///
/// The handler yields each body part to an `NIOThrowingAsyncSequenceProducer` and records the
/// result here. Above the producer's high watermark the result is `stopProducing`: from then on
/// the channel's `read` is held back, so the kernel's receive buffer fills and TCP stops the
/// client. When the consumer drains to the low watermark (`produceMore`), a held read is
/// issued. A consumer that went away (`dropped`, `didTerminate`) stops the holding: the rest
/// of the body is read and dropped, so the connection can still answer and close.
struct RequestBodyBackpressure: Equatable {
    /// What the producer said about a yielded body part.
    enum Demand: Equatable {
        case more
        case stop
        /// The consumer is gone; the part was dropped.
        case dropped
    }

    enum State: Equatable {
        /// Reads go through.
        case flowing
        /// Reads are held back; `readPending` records one asked for meanwhile.
        case paused(readPending: Bool)
    }

    private(set) var state = State.flowing

    /// Records the producer's answer to a yield: `true` when a held-back read must be issued
    /// now (the consumer caught up or left before its delegate call arrived).
    mutating func didYield(_ demand: Demand) -> Bool {
        switch demand {
        case .stop:
            if case .flowing = state { state = .paused(readPending: false) }
            return false
        case .more, .dropped:
            return consumerDidDrain()
        }
    }

    /// The channel asks to read: `true` when the read should go through now.
    mutating func shouldForwardRead() -> Bool {
        guard case .paused = state else { return true }
        state = .paused(readPending: true)
        return false
    }

    /// The consumer caught up (or left): `true` when a held-back read must be issued now.
    mutating func consumerDidDrain() -> Bool {
        guard case .paused(let readPending) = state else { return false }
        state = .flowing
        return readPending
    }
}
