import Synchronization

/// A `ResponseCache` behind a lock, so a cache hit is answered on the thread that received the
/// query (no hop into the responder's actor) while forwarding, on the async path, stores into it.
/// Each call is one short critical section; the clock is read outside it.
final class SharedResponseCache: Sendable {
    let state: Mutex<ResponseCache>

    init(_ cache: ResponseCache) { state = Mutex(cache) }

    /// The cached reply to `query`, as `ResponseCache.reply(to:now:)`.
    func reply(to query: DNSMessage, now: ContinuousClock.Instant) -> DNSMessage? {
        state.withLock { $0.reply(to: query, now: now) }
    }

    /// Keeps `reply` for `question`, as `ResponseCache.store(_:for:now:)`.
    func store(_ reply: DNSMessage, for question: DNSQuestion, now: ContinuousClock.Instant) {
        state.withLock { $0.store(reply, for: question, now: now) }
    }
}
