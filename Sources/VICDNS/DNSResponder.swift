import Logging
import VICCore

/// The domain logic of the embedded DNS server: one query in, one reply out.
///
/// Names of containers are answered from a fresh `NameDirectory` snapshot by `NameResolver`;
/// everything else comes from the cache or is forwarded to the upstreams, each tried in turn
/// (round-robin start) with a fresh random ID, until one answers; SERVFAIL when there are
/// none or all time out. The UDP and TCP listeners are thin adapters around `respond`.
public actor DNSResponder {
    /// The TTL of container answers, as VIC and Docker use.
    public static let containerTTL: UInt32 = 600
    /// The UDP payload size advertised in our EDNS records (the DNS flag day 2020 value).
    public static let ednsPayloadSize: UInt16 = 1232

    let upstreams: [DNSUpstream]
    let timeout: Duration
    let transport: any DNSUpstreamTransport
    let directory: @Sendable () async -> NameDirectory
    let logger: Logger
    let clock = ContinuousClock()
    var cache: ResponseCache
    var rotation = 0
    var nextUpstream = 0
    var random = SystemRandomNumberGenerator()

    /// - Parameters:
    ///   - upstreams: the VCH's resolvers, tried in turn.
    ///   - timeout: how long to wait for each upstream.
    ///   - directory: called once per query for the current containers.
    public init(upstreams: [DNSUpstream], timeout: Duration = .seconds(2), transport: any DNSUpstreamTransport,
                cache: ResponseCache = ResponseCache(), logger: Logger,
                directory: @escaping @Sendable () async -> NameDirectory) {
        self.upstreams = upstreams
        self.timeout = timeout
        self.transport = transport
        self.cache = cache
        self.logger = logger
        self.directory = directory
    }

    /// The reply to the bytes `client` sent, or nil to stay silent (fewer than 12 bytes, or a
    /// response rather than a query). Over UDP the reply fits the client's payload size, else
    /// it is truncated with TC set.
    public func respond(to bytes: [UInt8], from client: IPv4Address, overUDP: Bool) async -> [UInt8]? {
        guard let id = DNSMessage.headerID(of: bytes) else { return nil }
        let query: DNSMessage
        do {
            query = try DNSMessage(decoding: bytes)
        } catch {
            logger.debug("DNS: malformed query from \(client): \(error)")
            let flags = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
            guard flags & 0x8000 == 0 else { return nil }
            return Self.reply(to: DNSMessage(header: DNSHeader(id: id, flags: flags)), code: .formatError).encoded
        }
        guard !query.header.isResponse else { return nil }
        let limit = overUDP ? query.acceptedUDPPayloadSize : Int(UInt16.max)
        let reply = await answer(query, raw: bytes, from: client)
        switch reply {
        case .message(let message):
            return message.encoded(fittingIn: limit)
        case .raw(let raw):
            if raw.count <= limit { return raw }
            guard let message = try? DNSMessage(decoding: raw) else {
                return Self.reply(to: query, code: .serverFailure).encoded
            }
            return message.encoded(fittingIn: limit)
        }
    }

    enum Reply {
        case message(DNSMessage)
        /// An upstream reply, passed through with the client's ID restored.
        case raw([UInt8])
    }

    func answer(_ query: DNSMessage, raw: [UInt8], from client: IPv4Address) async -> Reply {
        guard query.header.opcode == 0 else { return .message(Self.reply(to: query, code: .notImplemented)) }
        // VIC answers SERVFAIL to several questions; FORMERR is what RFC 9619 prescribes.
        guard query.questions.count == 1, let question = query.questions.first else {
            return .message(Self.reply(to: query, code: .formatError))
        }
        guard question.rawClass == DNSClass.internet, question.type != .any else {
            return .message(Self.reply(to: query, code: .notImplemented))
        }
        let snapshot = await directory()
        let resolution = NameResolver(directory: snapshot)
            .resolve(question.name, type: question.type, from: client, rotation: rotation)
        switch resolution {
        case .addresses(let addresses):
            rotation &+= 1
            var reply = Self.reply(to: query, code: .noError, authoritative: true)
            reply.answers = addresses.map { .address(question.name, $0, ttl: Self.containerTTL) }
            return .message(reply)
        case .noData:
            return .message(Self.reply(to: query, code: .noError, authoritative: true))
        case .forward:
            return await forward(query, raw: raw, question: question)
        }
    }

    /// From the cache, else from the first upstream that answers.
    func forward(_ query: DNSMessage, raw: [UInt8], question: DNSQuestion) async -> Reply {
        if var cached = cache.reply(to: query, now: clock.now) {
            if query.ednsRecord != nil { cached.additionals = [.edns(payloadSize: Self.ednsPayloadSize)] }
            return .message(cached)
        }
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
            var outgoing = raw
            outgoing[0] = UInt8(id >> 8)
            outgoing[1] = UInt8(id & 0xff)
            do {
                var reply = try await transport.exchange(outgoing, with: upstream, timeout: timeout)
                reply[0] = UInt8(query.header.id >> 8)
                reply[1] = UInt8(query.header.id & 0xff)
                if let message = try? DNSMessage(decoding: reply) {
                    cache.store(message, for: question, now: clock.now)
                }
                return .raw(reply)
            } catch {
                logger.debug("DNS: \(question.name) via \(upstream): \(error)")
            }
        }
        return .message(Self.reply(to: query, code: .serverFailure))
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
