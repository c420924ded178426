import VICCore

/// What `DNSResponder.respondImmediately` gives back.
public enum ImmediateResponse: Sendable {
    /// The reply to send, or nil to stay silent.
    case answered([UInt8]?)
    /// The query needs waiting for (a directory rebuild or an upstream): finish it with
    /// `DNSResponder.complete`.
    case pending(PendingQuery)
}

/// A decoded, well-formed query of one IN question that could not be answered without waiting.
public struct PendingQuery: Sendable {
    /// The query.
    let query: DNSMessage
    /// Its only question.
    let question: DNSQuestion
    /// The query as received, forwarded with a fresh ID.
    let raw: [UInt8]
    /// The sender, whose view of the containers applies.
    let client: IPv4Address
    /// The largest reply the client accepts.
    let limit: Int
    /// The client asked over TCP: a truncated upstream answer is fetched whole over TCP.
    let overTCP: Bool
    /// True when a current directory snapshot said the name is not a container's: only the
    /// upstreams remain. False when no snapshot was at hand yet.
    let isForward: Bool

    init(query: DNSMessage, question: DNSQuestion, raw: [UInt8], client: IPv4Address, limit: Int,
         overTCP: Bool, isForward: Bool = false) {
        self.query = query
        self.question = question
        self.raw = raw
        self.client = client
        self.limit = limit
        self.overTCP = overTCP
        self.isForward = isForward
    }

    /// `pending`, resolved to a forward.
    init(forwarding pending: PendingQuery) {
        self.init(query: pending.query, question: pending.question, raw: pending.raw, client: pending.client,
                  limit: pending.limit, overTCP: pending.overTCP, isForward: true)
    }
}
