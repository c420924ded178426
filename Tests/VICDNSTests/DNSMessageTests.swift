import Testing
import VICCore
@testable import VICDNS

/// Golden bytes captured on loopback from dig 9.18 (queries) and dnsmasq 2.89 (responses),
/// `--addn-hosts` with `172.16.0.2 web.vic.test`, `--cname=alias.vic.test,web.vic.test`,
/// `--local-ttl=600`.
enum Golden {
    /// `dig +noedns +nocookie web.vic.test A`
    static let plainQuery = hex("""
        84b5 0120 0001 0000 0000 0000   # id, flags RD AD, 1 question
        03 776562 03 766963 04 74657374 00   # web.vic.test.
        0001 0001                       # A IN
        """)
    /// dnsmasq's answer to `plainQuery`
    static let plainAnswer = hex("""
        84b5 8580 0001 0001 0000 0000   # id, flags QR AA RD RA, 1 question, 1 answer
        03 776562 03 766963 04 74657374 00 0001 0001
        c00c 0001 0001 00000258 0004    # -> offset 12 (web.vic.test), A IN, TTL 600, 4 bytes
        ac100002                        # 172.16.0.2
        """)
    /// `dig alias.vic.test A`: EDNS with a client cookie
    static let ednsQuery = hex("""
        e184 0120 0001 0000 0000 0001   # id, RD AD, 1 question, 1 additional
        05 616c696173 03 766963 04 74657374 00 0001 0001   # alias.vic.test. A IN
        00 0029 04d0 00000000 000c      # root, OPT, payload 1232, ext-rcode/version/flags 0, 12 bytes
        000a 0008 e3fed873656e8070      # option COOKIE (10), 8 bytes of client cookie
        """)
    /// dnsmasq's answer to `ednsQuery`: a CNAME whose target is then pointed into
    static let cnameAnswer = hex("""
        e184 8580 0001 0002 0000 0001
        05 616c696173 03 766963 04 74657374 00 0001 0001
        c00c 0005 0001 00000258 000e    # alias.vic.test CNAME IN 600, 14 bytes
        03 776562 03 766963 04 74657374 00   # at offset 44: web.vic.test.
        c02c 0001 0001 00000258 0004    # -> offset 44, A IN 600
        ac100002                        # 172.16.0.2
        00 0029 04d0 00000000 0000      # OPT, payload 1232, no options
        """)
}

@Suite struct DNSMessageTests {
    let web = DNSName("web.vic.test")!

    @Test func decodesAPlainQuery() throws {
        let message = try DNSMessage(decoding: Golden.plainQuery)
        #expect(message.header.id == 0x84b5)
        #expect(!message.header.isResponse)
        #expect(message.header.recursionDesired)
        #expect(message.header.authenticData)
        #expect(message.questions == [DNSQuestion(name: web, type: .a)])
        #expect(message.answers.isEmpty && message.additionals.isEmpty)
        #expect(message.acceptedUDPPayloadSize == 512)
    }

    @Test func decodesAnEDNSQueryAndKeepsItsOptions() throws {
        let message = try DNSMessage(decoding: Golden.ednsQuery)
        #expect(message.questions.first?.name.description == "alias.vic.test")
        let edns = try #require(message.ednsRecord)
        #expect(edns.name == .root)
        #expect(edns.rawClass == 1232)
        #expect(edns.data == .opaque(hex("000a 0008 e3fed873656e8070")))
        #expect(message.acceptedUDPPayloadSize == 1232)
        #expect(message.encoded == Golden.ednsQuery)
    }

    @Test func decodesAnAnswerWithAPointer() throws {
        let message = try DNSMessage(decoding: Golden.plainAnswer)
        #expect(message.header.isResponse && message.header.isAuthoritative && message.header.recursionAvailable)
        #expect(message.header.responseCode == .noError)
        #expect(message.answers == [.address(web, IPv4Address("172.16.0.2")!, ttl: 600)])
    }

    @Test func encodesAnAnswerAsDnsmasqDoes() {
        let header = DNSHeader(id: 0x84b5, isResponse: true, isAuthoritative: true, recursionDesired: true,
                               recursionAvailable: true)
        let message = DNSMessage(header: header, questions: [DNSQuestion(name: web, type: .a)],
                                 answers: [.address(web, IPv4Address("172.16.0.2")!, ttl: 600)])
        #expect(message.encoded == Golden.plainAnswer)
    }

    @Test func followsAPointerIntoRecordData() throws {
        let message = try DNSMessage(decoding: Golden.cnameAnswer)
        #expect(message.answers.count == 2)
        #expect(message.answers.first?.data == .name(web))
        #expect(message.answers.last?.name == web)
        #expect(message.answers.last?.data == .ipv4(IPv4Address("172.16.0.2")!))
        #expect(message.ednsRecord?.rawClass == 1232)
        // Re-encoded, the CNAME target is compressed too, and decodes to the same message.
        #expect(try DNSMessage(decoding: message.encoded) == message)
        #expect(message.encoded.count < Golden.cnameAnswer.count)
    }

    @Test func roundTripsAnSOAInTheAuthoritySection() throws {
        let zone = DNSName("vic.test")!
        let soa = DNSStartOfAuthority(primary: DNSName("ns.vic.test")!, mailbox: DNSName("admin.vic.test")!,
                                      serial: 7, refresh: 3600, retry: 600, expire: 86400, minimum: 30)
        let message = DNSMessage(
            header: DNSHeader(id: 9, isResponse: true, responseCode: .nameError),
            questions: [DNSQuestion(name: DNSName("nope.vic.test")!, type: .a)],
            authorities: [DNSResourceRecord(name: zone, type: .soa, ttl: 300, data: .startOfAuthority(soa))])
        let bytes = message.encoded
        // The SOA owner points into the question name ("vic.test" at offset 17).
        #expect(bytes[31...32] == [0xc0, 0x11])
        #expect(try DNSMessage(decoding: bytes) == message)
    }

    @Test func passesUnknownTypesThrough() throws {
        let aaaa = DNSResourceRecord(name: web, type: .aaaa, ttl: 5, data: .opaque(Array(repeating: 0xfd, count: 16)))
        let txt = DNSResourceRecord(name: web, type: .txt, ttl: 5, data: .opaque(hex("05 68656c6c6f")))
        let message = DNSMessage(header: DNSHeader(id: 1, isResponse: true), answers: [aaaa, txt])
        #expect(try DNSMessage(decoding: message.encoded) == message)
    }

    @Test(arguments: [
        ("truncated header", "84b5 0120 0001 0000 0000", DNSDecodingError.truncated(offset: 10)),
        ("question cut short", "0001 0100 0001 0000 0000 0000 03 7765", .truncated(offset: 12)),
        ("pointer to itself", "0001 0100 0001 0000 0000 0000 c00c 0001 0001", .badPointer(offset: 12)),
        ("forward pointer", "0001 0100 0001 0000 0000 0000 c00e 00 0001 0001", .badPointer(offset: 12)),
        ("label type 01", "0001 0100 0001 0000 0000 0000 41 00 0001 0001", .badLabel(offset: 12)),
        ("A record of 3 bytes", "0001 8100 0000 0001 0000 0000 00 0001 0001 00000001 0003 010203",
         .badRecordData(offset: 23)),
        ("record data beyond the end", "0001 8100 0000 0001 0000 0000 00 0010 0001 00000001 0009 0102",
         .truncated(offset: 23)),
    ])
    func rejectsMalformedMessages(_ label: String, _ bytes: String, _ error: DNSDecodingError) {
        #expect(throws: error, "\(label)") { try DNSMessage(decoding: hex(bytes)) }
    }

    @Test func rejectsNamesLongerThan255Bytes() {
        var bytes = hex("0001 0100 0001 0000 0000 0000")
        for _ in 0..<5 { bytes += [63] + Array(repeating: 0x61, count: 63) }
        bytes += [0, 0, 1, 0, 1]
        #expect(throws: DNSDecodingError.nameTooLong(offset: 12)) { try DNSMessage(decoding: bytes) }
    }

    @Test func truncatesToFitAndSetsTC() throws {
        let addresses = (2...60).compactMap { IPv4Address("172.16.0.\($0)") }
        let message = DNSMessage(
            header: DNSHeader(id: 3, isResponse: true), questions: [DNSQuestion(name: web, type: .a)],
            answers: addresses.map { .address(web, $0, ttl: 600) }, additionals: [.edns(payloadSize: 1232)])
        #expect(message.encoded.count > 512)
        let cut = try DNSMessage(decoding: message.encoded(fittingIn: 512))
        #expect(cut.header.isTruncated)
        #expect(cut.answers.isEmpty)
        #expect(cut.ednsRecord != nil)
        #expect(message.encoded(fittingIn: 2000) == message.encoded)
    }
}

@Suite struct DNSNameTests {
    @Test(arguments: [
        ("web.vic.test", 3), ("web.vic.test.", 3), (".", 0), ("", 0), ("a", 1),
    ])
    func parsesDottedText(_ text: String, _ labels: Int) throws {
        #expect(try #require(DNSName(text)).labels.count == labels)
    }

    @Test(arguments: ["a..b", String(repeating: "x", count: 64), ".a"])
    func rejectsBadLabels(_ text: String) {
        #expect(DNSName(text) == nil)
    }

    @Test func comparesCaseInsensitively() throws {
        let upper = try #require(DNSName("Web.VIC.test"))
        #expect(upper == DNSName("web.vic.TEST"))
        #expect(Set([upper]).contains(try #require(DNSName("WEB.vic.test"))))
        #expect(upper.description == "Web.VIC.test")
        #expect(DNSName(labels: [[0x61, 0x2e, 0x20]])?.description == "a\\046\\032")
    }
}
