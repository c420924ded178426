/// A small cache of upstream answers, keyed by question (name case-insensitive), honouring TTLs.
///
/// Positive answers live for the smallest TTL of their records; NXDOMAIN and NODATA for the
/// SOA's negative TTL (RFC 2308), and are not cached without an SOA. Every lifetime is capped
/// at `maximumTTL`. Truncated replies and other response codes are not cached. A pure value:
/// the caller passes the time, so tests need no clock.
public struct ResponseCache: Sendable {
    /// A cached reply, as records whose TTLs count down from `stored`.
    struct Entry: Sendable {
        var responseCode: DNSResponseCode
        var answers: [DNSResourceRecord]
        var authorities: [DNSResourceRecord]
        var stored: ContinuousClock.Instant
        var expires: ContinuousClock.Instant
    }

    /// The most replies kept; the oldest goes first.
    public let capacity: Int
    /// The longest lifetime, whatever the TTLs say.
    public let maximumTTL: UInt32
    private var entries: [DNSQuestion: Entry] = [:]

    /// An empty cache.
    public init(capacity: Int = 1024, maximumTTL: UInt32 = 3600) {
        self.capacity = max(capacity, 0)
        self.maximumTTL = maximumTTL
    }

    /// How many replies are held, expired ones included until they are swept.
    public var count: Int { entries.count }

    /// Keeps `reply` for `question` if it is cacheable.
    public mutating func store(_ reply: DNSMessage, for question: DNSQuestion, now: ContinuousClock.Instant) {
        guard capacity > 0, !reply.header.isTruncated, let ttl = Self.lifetime(of: reply), ttl > 0 else { return }
        let ttlCapped = min(ttl, maximumTTL)
        if entries.count >= capacity, entries[Self.key(question)] == nil {
            entries = entries.filter { $0.value.expires > now }
            if entries.count >= capacity, let oldest = entries.min(by: { $0.value.stored < $1.value.stored }) {
                entries[oldest.key] = nil
            }
        }
        entries[Self.key(question)] = Entry(
            responseCode: reply.header.responseCode,
            answers: reply.answers.filter { $0.type != .opt }, authorities: reply.authorities,
            stored: now, expires: now + .seconds(Int64(ttlCapped)))
    }

    /// The cached reply to `query` (its ID, question and RD flag), with TTLs lowered by the
    /// time spent in the cache; nil when absent or expired.
    public mutating func reply(to query: DNSMessage, now: ContinuousClock.Instant) -> DNSMessage? {
        guard let question = query.questions.first else { return nil }
        let key = Self.key(question)
        guard let entry = entries[key] else { return nil }
        guard entry.expires > now else {
            entries[key] = nil
            return nil
        }
        let age = UInt32(clamping: (now - entry.stored).components.seconds)
        let aged = { (record: DNSResourceRecord) -> DNSResourceRecord in
            var record = record
            record.ttl = record.ttl > age ? record.ttl - age : 0
            return record
        }
        var header = DNSHeader(id: query.header.id, isResponse: true, opcode: query.header.opcode,
                               recursionDesired: query.header.recursionDesired, recursionAvailable: true,
                               responseCode: entry.responseCode)
        header.checkingDisabled = query.header.checkingDisabled
        return DNSMessage(header: header, questions: [question], answers: entry.answers.map(aged),
                          authorities: entry.authorities.map(aged))
    }

    /// The seconds `reply` may be cached, or nil if it may not.
    static func lifetime(of reply: DNSMessage) -> UInt32? {
        let records = reply.answers.filter { $0.type != .opt }
        switch reply.header.responseCode {
        case .noError where !records.isEmpty:
            return records.map(\.ttl).min()
        case .noError, .nameError:
            for record in reply.authorities where record.type == .soa {
                if case .startOfAuthority(let soa) = record.data { return min(record.ttl, soa.minimum) }
            }
            return nil
        default:
            return nil
        }
    }

    static func key(_ question: DNSQuestion) -> DNSQuestion {
        DNSQuestion(name: question.name.lowercased, type: question.type, rawClass: question.rawClass)
    }
}
