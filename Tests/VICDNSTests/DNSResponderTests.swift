import Logging
import Synchronization
import Testing
import VICCore
@testable import VICDNS

/// An upstream transport that records what it was asked and answers from a script.
final class ScriptedTransport: DNSUpstreamTransport {
    enum Behaviour: Sendable {
        case answer(IPv4Address, ttl: UInt32)
        case timeOut
    }

    let behaviours: [DNSUpstream: Behaviour]
    let asked = Mutex<[(upstream: DNSUpstream, id: UInt16)]>([])

    init(_ behaviours: [DNSUpstream: Behaviour]) { self.behaviours = behaviours }

    var askedUpstreams: [DNSUpstream] { asked.withLock { $0.map(\.upstream) } }
    var askedIDs: [UInt16] { asked.withLock { $0.map(\.id) } }

    func exchange(_ query: [UInt8], with upstream: DNSUpstream, timeout: Duration) async throws -> [UInt8] {
        let message = try DNSMessage(decoding: query)
        asked.withLock { $0.append((upstream, message.header.id)) }
        switch behaviours[upstream] ?? .timeOut {
        case .timeOut:
            throw VICError(.unavailable, "DNS upstream \(upstream) did not answer")
        case .answer(let address, let ttl):
            var reply = message
            reply.header.isResponse = true
            reply.header.recursionAvailable = true
            reply.additionals = []
            reply.answers = [.address(message.questions[0].name, address, ttl: ttl)]
            return reply.encoded
        }
    }
}

@Suite struct DNSResponderTests {
    static let client = Fixture.ip("172.16.0.5")
    static let first = DNSUpstream(address: Fixture.ip("127.0.0.2"), port: 5353)
    static let second = DNSUpstream(address: Fixture.ip("127.0.0.3"), port: 5353)

    func responder(_ upstreams: [DNSUpstream], _ transport: ScriptedTransport,
                   directory: NameDirectory = Fixture.directory) -> DNSResponder {
        DNSResponder(upstreams: upstreams, timeout: .milliseconds(50), transport: transport,
                     logger: Logger(label: "test"), directory: AsyncSource(snapshot: directory))
    }

    /// A source that is never current at once, so every query takes the async path.
    struct AsyncSource: NameDirectorySource {
        let snapshot: NameDirectory
        func currentDirectory() -> NameDirectory? { nil }
        func directory() async -> NameDirectory { snapshot }
    }

    func query(_ name: String, _ type: DNSRecordType = .a, id: UInt16 = 0x1234, edns: Bool = false) -> [UInt8] {
        DNSMessage(header: DNSHeader(id: id), questions: [DNSQuestion(name: DNSName(name)!, type: type)],
                   additionals: edns ? [.edns(payloadSize: 4096)] : []).encoded
    }

    func ask(_ responder: DNSResponder, _ bytes: [UInt8], from client: IPv4Address = client,
             overUDP: Bool = true) async throws -> DNSMessage {
        let reply = await responder.respond(to: bytes, from: client, overUDP: overUDP)
        return try DNSMessage(decoding: try #require(reply))
    }

    @Test func answersAContainerAuthoritativelyWithoutAskingUpstream() async throws {
        let transport = ScriptedTransport([:])
        let reply = try await ask(responder([Self.first], transport), query("web", edns: true))
        #expect(reply.header.id == 0x1234 && reply.header.isResponse && reply.header.isAuthoritative)
        #expect(reply.answers == [.address(DNSName("web")!, Fixture.ip("172.16.0.2"), ttl: 600)])
        #expect(reply.ednsRecord?.rawClass == 1232)
        #expect(transport.askedUpstreams.isEmpty)
    }

    @Test func answersNODATAForAAAAOfAContainer() async throws {
        let reply = try await ask(responder([Self.first], ScriptedTransport([:])), query("web", .aaaa))
        #expect(reply.header.responseCode == .noError)
        #expect(reply.answers.isEmpty)
        #expect(reply.questions.first?.type == .aaaa)
    }

    @Test func answersAAAAForAContainerOnAnIPv6Network() async throws {
        let directory = NameDirectory(containers: [
            .init(id: Fixture.id("a"), name: "web", endpoints: [
                .init(network: "six", address: Fixture.ip("172.20.0.2"), address6: IPv6Address("fd00:6::2")),
            ]),
            .init(id: Fixture.id("b"), name: "app", endpoints: [.init(network: "six", address: Fixture.ip("172.20.0.3"))]),
        ])
        let transport = ScriptedTransport([:])
        let reply = try await ask(responder([Self.first], transport, directory: directory), query("web", .aaaa),
                                  from: Fixture.ip("172.20.0.3"))
        #expect(reply.header.responseCode == .noError && reply.header.isAuthoritative)
        #expect(reply.answers.map(\.type) == [.aaaa])
        // The 16 bytes of fd00:6::2 on the wire.
        #expect(reply.answers.first?.data == .opaque([0xfd, 0, 0, 6] + Array(repeating: 0, count: 11) + [2]))
        #expect(transport.askedUpstreams.isEmpty)
    }

    @Test func answersSERVFAILWithoutUpstreams() async throws {
        let reply = try await ask(responder([], ScriptedTransport([:])), query("example.com"))
        #expect(reply.header.responseCode == .serverFailure)
        #expect(reply.header.id == 0x1234)
    }

    @Test func triesEachUpstreamOnceThenAnswersSERVFAIL() async throws {
        let transport = ScriptedTransport([:])
        let reply = try await ask(responder([Self.first, Self.second], transport), query("example.com"))
        #expect(reply.header.responseCode == .serverFailure)
        #expect(Set(transport.askedUpstreams) == [Self.first, Self.second])
        #expect(transport.askedUpstreams.count == 2)
    }

    @Test func forwardsWithAFreshIDRestoresTheClientsAndCaches() async throws {
        let transport = ScriptedTransport([Self.second: .answer(Fixture.ip("192.0.2.7"), ttl: 60)])
        let responder = responder([Self.first, Self.second], transport)
        let reply = try await ask(responder, query("example.com", id: 0x4242))
        #expect(reply.header.id == 0x4242)
        #expect(reply.answers.first?.data == .ipv4(Fixture.ip("192.0.2.7")))
        let asked = transport.askedIDs.count
        #expect(asked >= 1)
        // Other senders, other case, same question: from the cache.
        let cached = try await ask(responder, query("EXAMPLE.com", id: 0x0101), from: Fixture.ip("10.9.9.9"))
        #expect(cached.header.id == 0x0101)
        #expect(cached.answers.first?.data == .ipv4(Fixture.ip("192.0.2.7")))
        #expect(cached.questions.first?.name.description == "EXAMPLE.com")
        #expect(transport.askedIDs.count == asked)
    }

    @Test func forwardsNamesTheSenderMayNotSee() async throws {
        let transport = ScriptedTransport([Self.first: .answer(Fixture.ip("192.0.2.8"), ttl: 60)])
        let reply = try await ask(responder([Self.first], transport), query("other"))
        #expect(transport.askedUpstreams == [Self.first])
        #expect(reply.header.isAuthoritative == false)
    }

    @Test func usesRandomIDsTowardUpstreams() async throws {
        let transport = ScriptedTransport([:])
        let responder = responder([Self.first], transport)
        for index in 0..<8 { _ = try await ask(responder, query("n\(index).example", id: 1)) }
        #expect(Set(transport.askedIDs).count > 1)
    }

    @Test func rotatesAliasHolders() async throws {
        let responder = responder([], ScriptedTransport([:]))
        var firsts: Set<IPv4Address> = []
        for _ in 0..<2 {
            let reply = try await ask(responder, query("store"))
            #expect(reply.answers.count == 2)
            if case .ipv4(let address) = reply.answers.first?.data { firsts.insert(address) }
        }
        #expect(firsts == [Fixture.ip("172.16.0.3"), Fixture.ip("172.16.0.4")])
    }

    @Test func truncatesLargeAnswersOverUDPOnly() async throws {
        let holders = (2...60).map { index in
            NameDirectory.Entry(id: Fixture.id("9"), name: "n\(index)",
                                endpoints: [.init(network: "bridge", address: Fixture.ip("172.16.1.\(index)"), aliases: ["many"])])
        }
        let directory = NameDirectory(containers: Fixture.directory.containers + holders)
        let responder = responder([], ScriptedTransport([:]), directory: directory)
        let udp = try await ask(responder, query("many"))
        #expect(udp.header.isTruncated && udp.answers.isEmpty)
        let tcp = try await ask(responder, query("many"), overUDP: false)
        #expect(!tcp.header.isTruncated && tcp.answers.count == 59)
        let edns = try await ask(responder, query("many", edns: true))
        #expect(!edns.header.isTruncated && edns.answers.count == 59)
    }

    @Test func rejectsWhatVICRejects() async throws {
        let responder = responder([Self.first], ScriptedTransport([:]))
        var two = DNSMessage(header: DNSHeader(id: 5), questions: [
            DNSQuestion(name: DNSName("web")!, type: .a), DNSQuestion(name: DNSName("db")!, type: .a),
        ])
        #expect(try await ask(responder, two.encoded).header.responseCode == .formatError)
        two.questions = []
        #expect(try await ask(responder, two.encoded).header.responseCode == .formatError)
        #expect(try await ask(responder, query("web", .any)).header.responseCode == .notImplemented)
        let chaos = DNSMessage(header: DNSHeader(id: 5), questions: [DNSQuestion(name: DNSName("web")!, type: .a, rawClass: 3)])
        #expect(try await ask(responder, chaos.encoded).header.responseCode == .notImplemented)
        var update = DNSMessage(header: DNSHeader(id: 5), questions: [DNSQuestion(name: DNSName("web")!, type: .a)])
        update.header.opcode = 5
        #expect(try await ask(responder, update.encoded).header.responseCode == .notImplemented)
        let malformed = try await ask(responder, hex("0077 0100 0001 0000 0000 0000 c00c 0001 0001"))
        #expect(malformed.header.id == 0x77 && malformed.header.responseCode == .formatError)
    }

    @Test func staysSilentForShortMessagesAndResponses() async throws {
        let responder = responder([Self.first], ScriptedTransport([:]))
        #expect(await responder.respond(to: [0, 1, 2], from: Self.client, overUDP: true) == nil)
        #expect(await responder.respond(to: Golden.plainAnswer, from: Self.client, overUDP: true) == nil)
    }
}

/// A directory source whose snapshot is never current: every query takes the async path.
struct StaleDirectorySource: NameDirectorySource {
    let snapshot: NameDirectory
    func currentDirectory() -> NameDirectory? { nil }
    func directory() async -> NameDirectory { snapshot }
}

@Suite struct DNSResponderImmediateTests {
    static let client = Fixture.ip("172.16.0.5")
    static let upstream = DNSUpstream(address: Fixture.ip("127.0.0.2"), port: 5353)

    func query(_ name: String, id: UInt16 = 0x1234) -> [UInt8] {
        DNSMessage(header: DNSHeader(id: id), questions: [DNSQuestion(name: DNSName(name)!, type: .a)]).encoded
    }

    func responder(_ transport: ScriptedTransport, directory: any NameDirectorySource) -> DNSResponder {
        DNSResponder(upstreams: [Self.upstream], timeout: .milliseconds(50), transport: transport,
                     logger: Logger(label: "test"), directory: directory)
    }

    @Test func answersContainerNamesAndCacheHitsWithoutSuspending() async throws {
        let transport = ScriptedTransport([Self.upstream: .answer(Fixture.ip("192.0.2.9"), ttl: 60)])
        let responder = responder(transport, directory: Fixture.directory)
        guard case .answered(let local) = responder.respondImmediately(to: query("web"), from: Self.client, overUDP: true)
        else { Issue.record("a container name should be answered at once"); return }
        let answer = try DNSMessage(decoding: try #require(local))
        #expect(answer.answers == [.address(DNSName("web")!, Fixture.ip("172.16.0.2"), ttl: 600)])
        #expect(transport.askedUpstreams.isEmpty)

        guard case .pending(let pending) = responder.respondImmediately(to: query("example.com"), from: Self.client,
                                                                        overUDP: true)
        else { Issue.record("an unknown name should be left to forwarding"); return }
        let forwarded = try DNSMessage(decoding: await responder.complete(pending))
        #expect(forwarded.answers.first?.data == .ipv4(Fixture.ip("192.0.2.9")))
        #expect(transport.askedUpstreams == [Self.upstream])

        guard case .answered(let cached) = responder.respondImmediately(to: query("example.com", id: 7),
                                                                        from: Self.client, overUDP: true)
        else { Issue.record("a cached name should be answered at once"); return }
        let hit = try DNSMessage(decoding: try #require(cached))
        #expect(hit.header.id == 7 && hit.answers.first?.data == .ipv4(Fixture.ip("192.0.2.9")))
        #expect(transport.askedUpstreams.count == 1)
    }

    @Test func refusalsAndSilenceNeedNoDirectory() throws {
        let responder = responder(ScriptedTransport([:]), directory: StaleDirectorySource(snapshot: Fixture.directory))
        guard case .answered(nil) = responder.respondImmediately(to: [0, 1], from: Self.client, overUDP: true)
        else { Issue.record("a short message gets no reply"); return }
        let any = DNSMessage(header: DNSHeader(id: 3), questions: [DNSQuestion(name: DNSName("web")!, type: .any)])
        guard case .answered(let reply) = responder.respondImmediately(to: any.encoded, from: Self.client, overUDP: true)
        else { Issue.record("ANY is refused at once"); return }
        #expect(try DNSMessage(decoding: try #require(reply)).header.responseCode == .notImplemented)
    }

    @Test func aStaleDirectoryIsRebuiltOnTheAsyncPath() async throws {
        let transport = ScriptedTransport([:])
        let responder = responder(transport, directory: StaleDirectorySource(snapshot: Fixture.directory))
        guard case .pending(let pending) = responder.respondImmediately(to: query("web"), from: Self.client,
                                                                        overUDP: true)
        else { Issue.record("without a current snapshot the query must wait"); return }
        let reply = try DNSMessage(decoding: await responder.complete(pending))
        #expect(reply.header.isAuthoritative && reply.answers.first?.data == .ipv4(Fixture.ip("172.16.0.2")))
        #expect(transport.askedUpstreams.isEmpty)
    }
}

@Suite struct UpstreamReplyFilterTests {
    let upstream = DNSUpstream(address: IPv4Address("127.0.0.2")!, port: 5353)

    @Test func acceptsOnlyTheAskedUpstreamWithTheExpectedIDAndQuestion() throws {
        let filter = try #require(UpstreamReplyFilter(query: Golden.plainQuery, upstream: upstream))
        #expect(filter.accepts(Golden.plainAnswer, from: upstream))
        #expect(!filter.accepts(Golden.plainAnswer, from: DNSUpstream(address: upstream.address, port: 53)))
        #expect(!filter.accepts(Golden.plainAnswer, from: DNSUpstream(address: IPv4Address("127.0.0.3")!, port: 5353)))
        var wrongID = Golden.plainAnswer
        wrongID[1] ^= 0xff
        #expect(!filter.accepts(wrongID, from: upstream))
        // The same ID answering another question (dnsmasq's CNAME answer, ID patched).
        var otherQuestion = Golden.cnameAnswer
        otherQuestion[0...1] = [0x84, 0xb5]
        #expect(!filter.accepts(otherQuestion, from: upstream))
        // The query itself echoed back is not a response.
        #expect(!filter.accepts(Golden.plainQuery, from: upstream))
    }
}
