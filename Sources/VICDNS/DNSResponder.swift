import Logging
import Synchronization
import VICCore

/// The domain logic of the embedded DNS server: one query in, one reply out.
///
/// Names of containers are answered from the current `NameDirectory` snapshot by
/// `NameResolver`; everything else comes from the cache or is forwarded to the upstreams, each
/// tried in turn (round-robin start) with a fresh random ID, until one answers; SERVFAIL when
/// there are none or all time out. The UDP and TCP listeners are thin adapters around it.
///
/// Two steps, so the common case never suspends: `respondImmediately` is synchronous and
/// answers whatever needs no waiting (malformed or refused queries, container names when the
/// directory snapshot is current, cache hits); what is left (`PendingQuery`: a stale snapshot
/// or a forward) is finished by `complete`, and only forwarding enters the actor, which owns
/// the upstream rotation and the ID generator. `respond` does both.
public actor DNSResponder {
    /// The TTL of container answers, as VIC and Docker use.
    public static let containerTTL: UInt32 = 600
    /// The UDP payload size advertised in our EDNS records (the DNS flag day 2020 value).
    public static let ednsPayloadSize: UInt16 = 1232

    let upstreams: [DNSUpstream]
    let timeout: Duration
    let transport: any DNSUpstreamTransport
    let directory: any NameDirectorySource
    let logger: Logger
    let clock = ContinuousClock()
    let cache: SharedResponseCache
    /// Turns the order of several addresses: incremented per answer with addresses.
    let rotation = Atomic<Int>(0)
    var nextUpstream = 0
    var random = SystemRandomNumberGenerator()

    /// - Parameters:
    ///   - upstreams: the VCH's resolvers, tried in turn.
    ///   - timeout: how long to wait for each upstream.
    ///   - directory: the current containers; asked at each query.
    public init(upstreams: [DNSUpstream], timeout: Duration = .seconds(2), transport: any DNSUpstreamTransport,
                cache: ResponseCache = ResponseCache(), logger: Logger, directory: any NameDirectorySource) {
        self.upstreams = upstreams
        self.timeout = timeout
        self.transport = transport
        self.cache = SharedResponseCache(cache)
        self.logger = logger
        self.directory = directory
    }

    /// The reply to the bytes `client` sent, or nil to stay silent (fewer than 12 bytes, or a
    /// response rather than a query). Over UDP the reply fits the client's payload size, else
    /// it is truncated with TC set.
    public nonisolated func respond(to bytes: [UInt8], from client: IPv4Address, overUDP: Bool) async -> [UInt8]? {
        switch respondImmediately(to: bytes, from: client, overUDP: overUDP) {
        case .answered(let reply): reply
        case .pending(let pending): await complete(pending)
        }
    }

    /// As `respond`, without suspending: the reply when it needs no waiting, else the query
    /// to finish with `complete`. Pure but for the lock-protected cache and rotation counter.
    public nonisolated func respondImmediately(to bytes: [UInt8], from client: IPv4Address,
                                               overUDP: Bool) -> ImmediateResponse {
        guard let id = DNSMessage.headerID(of: bytes) else { return .answered(nil) }
        let query: DNSMessage
        do {
            query = try DNSMessage(decoding: bytes)
        } catch {
            logger.debug("DNS: malformed query from \(client): \(error)")
            let flags = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
            guard flags & 0x8000 == 0 else { return .answered(nil) }
            return .answered(Self.reply(to: DNSMessage(header: DNSHeader(id: id, flags: flags)), code: .formatError).encoded)
        }
        guard !query.header.isResponse else { return .answered(nil) }
        let limit = overUDP ? query.acceptedUDPPayloadSize : Int(UInt16.max)
        if let refusal = Self.refusal(of: query) { return .answered(refusal.encoded(fittingIn: limit)) }
        guard let question = query.questions.first else {
            return .answered(Self.reply(to: query, code: .formatError).encoded(fittingIn: limit))
        }
        let pending = PendingQuery(query: query, question: question, raw: bytes, client: client, limit: limit,
                                   overTCP: !overUDP)
        guard let snapshot = directory.currentDirectory() else { return .pending(pending) }
        if let local = answer(pending, from: snapshot) ?? cachedReply(to: query) {
            return .answered(local.encoded(fittingIn: limit))
        }
        return .pending(PendingQuery(forwarding: pending))
    }

    /// Finishes what `respondImmediately` left: resolves against a fresh snapshot if it had
    /// none, then answers from the cache or the upstreams.
    public nonisolated func complete(_ pending: PendingQuery) async -> [UInt8] {
        if !pending.isForward {
            let snapshot = await directory.directory()
            if let local = answer(pending, from: snapshot) ?? cachedReply(to: pending.query) {
                return local.encoded(fittingIn: pending.limit)
            }
        }
        switch await forward(pending) {
        case .message(let message):
            return message.encoded(fittingIn: pending.limit)
        case .raw(let raw):
            if raw.count <= pending.limit { return raw }
            guard let message = try? DNSMessage(decoding: raw) else {
                return Self.reply(to: pending.query, code: .serverFailure).encoded
            }
            return message.encoded(fittingIn: pending.limit)
        }
    }

    enum Reply {
        case message(DNSMessage)
        /// An upstream reply, passed through with the client's ID restored.
        case raw([UInt8])
    }

    /// The answer from `snapshot` if the name is a container's, seen from the sender; nil if
    /// it is not ours.
    nonisolated func answer(_ pending: PendingQuery, from snapshot: NameDirectory) -> DNSMessage? {
        let question = pending.question
        let resolution = NameResolver(directory: snapshot).resolve(
            question.name, type: question.type, from: pending.client, rotation: rotation.load(ordering: .relaxed))
        switch resolution {
        case .addresses(let addresses):
            rotation.wrappingAdd(1, ordering: .relaxed)
            var reply = Self.reply(to: pending.query, code: .noError, authoritative: true)
            reply.answers = addresses.map { .address(question.name, $0, ttl: Self.containerTTL) }
            return reply
        case .addresses6(let addresses):
            rotation.wrappingAdd(1, ordering: .relaxed)
            var reply = Self.reply(to: pending.query, code: .noError, authoritative: true)
            reply.answers = addresses.map { .address6(question.name, $0, ttl: Self.containerTTL) }
            return reply
        case .noData:
            return Self.reply(to: pending.query, code: .noError, authoritative: true)
        case .forward:
            return nil
        }
    }

    /// The cached upstream reply to `query`, with our EDNS record if it had one.
    nonisolated func cachedReply(to query: DNSMessage) -> DNSMessage? {
        guard var cached = cache.reply(to: query, now: clock.now) else { return nil }
        if query.ednsRecord != nil { cached.additionals = [.edns(payloadSize: Self.ednsPayloadSize)] }
        return cached
    }

    /// From the first upstream that answers (the cache was asked already).
    func forward(_ pending: PendingQuery) async -> Reply {
        let (query, question) = (pending.query, pending.question)
        guard !upstreams.isEmpty else {
            logger.debug("DNS: no upstream for \(question.name)")
            return .message(Self.reply(to: query, code: .serverFailure))
        }
        let first = nextUpstream
        nextUpstream &+= 1
        for attempt in 0..<upstreams.count {
            let upstream = upstreams[(first &+ attempt) % upstreams.count]
            // Random, so an off-path sender cannot guess the ID of the reply we wait for.
            let id = UInt16.random(in: 0...UInt16.max, using: &random)
            var outgoing = pending.raw
            outgoing[0] = UInt8(id >> 8)
            outgoing[1] = UInt8(id & 0xff)
            do {
                var reply = try await transport.exchange(outgoing, with: upstream, timeout: timeout)
                if pending.overTCP && DNSMessage.isTruncated(reply) {
                    // A TCP client can take the whole answer: ask the same upstream over TCP.
                    do { reply = try await transport.exchangeOverTCP(outgoing, with: upstream, timeout: timeout) } catch {
                        logger.debug("DNS: \(question.name) via \(upstream) over TCP: \(error)")
                    }
                }
                reply[0] = UInt8(query.header.id >> 8)
                reply[1] = UInt8(query.header.id & 0xff)
                // A truncated answer is not the answer: it is passed on (a UDP client then asks
                // over TCP) but not cached.
                if let message = try? DNSMessage(decoding: reply), !message.header.isTruncated {
                    cache.store(message, for: question, now: clock.now)
                }
                return .raw(reply)
            } catch {
                logger.debug("DNS: \(question.name) via \(upstream): \(error)")
            }
        }
        return .message(Self.reply(to: query, code: .serverFailure))
    }

    /// The reply to a query VIC does not answer at all, or nil: NOTIMP for an opcode other than
    /// QUERY, a class other than IN or type ANY; FORMERR for other than one question (VIC
    /// answers SERVFAIL to several questions; FORMERR is what RFC 9619 prescribes).
    static func refusal(of query: DNSMessage) -> DNSMessage? {
        guard query.header.opcode == 0 else { return reply(to: query, code: .notImplemented) }
        guard query.questions.count == 1, let question = query.questions.first else {
            return reply(to: query, code: .formatError)
        }
        guard question.rawClass == DNSClass.internet, question.type != .any else {
            return reply(to: query, code: .notImplemented)
        }
        return nil
    }

    /// A reply to `query` with no records: its ID, opcode, question and RD/CD flags, QR and RA
    /// set, and an EDNS record if the query had one.
    static func reply(to query: DNSMessage, code: DNSResponseCode, authoritative: Bool = false) -> DNSMessage {
        var header = DNSHeader(id: query.header.id, isResponse: true, opcode: query.header.opcode,
                               isAuthoritative: authoritative, recursionDesired: query.header.recursionDesired,
                               recursionAvailable: true, responseCode: code)
        header.checkingDisabled = query.header.checkingDisabled
        return DNSMessage(header: header, questions: Array(query.questions.prefix(1)),
                          additionals: query.ednsRecord == nil ? [] : [.edns(payloadSize: ednsPayloadSize)])
    }
}
