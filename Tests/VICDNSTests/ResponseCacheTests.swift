import Testing
import VICCore
@testable import VICDNS

@Suite struct ResponseCacheTests {
    let name = DNSName("example.test")!
    let start = ContinuousClock.now

    func query(_ text: String = "Example.TEST", id: UInt16 = 7) -> DNSMessage {
        DNSMessage(header: DNSHeader(id: id), questions: [DNSQuestion(name: DNSName(text)!, type: .a)])
    }

    func reply(code: DNSResponseCode = .noError, ttls: [UInt32], soa: (ttl: UInt32, minimum: UInt32)? = nil) -> DNSMessage {
        var message = DNSMessage(header: DNSHeader(id: 1, isResponse: true, responseCode: code),
                                 questions: [DNSQuestion(name: name, type: .a)])
        message.answers = ttls.enumerated().map { .address(name, IPv4Address(UInt32(0xc000_0201 + $0.offset)), ttl: $0.element) }
        if let soa {
            let data = DNSStartOfAuthority(primary: name, mailbox: name, serial: 1, refresh: 1, retry: 1, expire: 1,
                                           minimum: soa.minimum)
            message.authorities = [DNSResourceRecord(name: name, type: .soa, ttl: soa.ttl, data: .startOfAuthority(data))]
        }
        return message
    }

    @Test func servesWithTheQueryIDAndAgedTTLsUntilTheSmallestTTLPasses() throws {
        var cache = ResponseCache()
        cache.store(reply(ttls: [60, 30]), for: query().questions[0], now: start)
        let cached = cache.reply(to: query(id: 99), now: start + .seconds(10))
        let hit = try #require(cached)
        #expect(hit.header.id == 99 && hit.header.isResponse && hit.header.recursionAvailable)
        #expect(hit.questions.first?.name.description == "Example.TEST")
        #expect(hit.answers.map(\.ttl) == [50, 20])
        #expect(cache.reply(to: query(), now: start + .seconds(30)) == nil)
        #expect(cache.count == 0)
    }

    @Test func cachesNegativeAnswersForTheSOAMinimum() {
        var cache = ResponseCache()
        cache.store(reply(code: .nameError, ttls: [], soa: (ttl: 300, minimum: 20)), for: query().questions[0], now: start)
        let hit = cache.reply(to: query(), now: start + .seconds(19))
        #expect(hit?.header.responseCode == .nameError)
        #expect(cache.reply(to: query(), now: start + .seconds(20)) == nil)
    }

    @Test func doesNotCacheWhatItMayNot() {
        var cache = ResponseCache()
        let question = query().questions[0]
        cache.store(reply(code: .nameError, ttls: []), for: question, now: start)
        cache.store(reply(code: .serverFailure, ttls: [60]), for: question, now: start)
        cache.store(reply(ttls: [0]), for: question, now: start)
        var truncated = reply(ttls: [60])
        truncated.header.isTruncated = true
        cache.store(truncated, for: question, now: start)
        #expect(cache.count == 0)
    }

    @Test func capsLifetimesAndEvictsTheOldestWhenFull() {
        var cache = ResponseCache(capacity: 2, maximumTTL: 100)
        for (index, text) in ["a.test", "b.test", "c.test"].enumerated() {
            cache.store(reply(ttls: [86400]), for: query(text).questions[0], now: start + .seconds(index))
        }
        #expect(cache.count == 2)
        #expect(cache.reply(to: query("a.test"), now: start + .seconds(3)) == nil)
        #expect(cache.reply(to: query("c.test"), now: start + .seconds(3)) != nil)
        #expect(cache.reply(to: query("c.test"), now: start + .seconds(102)) == nil)
    }
}
