import Testing
import VICCore

@Suite struct IPv4AddressTests {
    @Test(arguments: [
        ("0.0.0.0", true), ("192.168.100.1", true), ("255.255.255.255", true),
        ("256.1.1.1", false), ("1.2.3", false), ("1.2.3.4.5", false), ("01.2.3.4", false),
        ("1..3.4", false), ("a.b.c.d", false), ("", false), (" 1.2.3.4", false), ("1.2.3.4/24", false),
    ])
    func parses(_ text: String, _ valid: Bool) {
        let address = IPv4Address(text)
        #expect((address != nil) == valid)
        if let address { #expect(address.description == text) }
    }

    @Test func advances() {
        #expect(IPv4Address("10.0.0.255")?.advanced(by: 1) == IPv4Address("10.0.1.0"))
        #expect(IPv4Address("255.255.255.255")?.advanced(by: 1) == nil)
    }
}

@Suite struct IPv4NetworkTests {
    @Test(arguments: [
        ("172.17.0.0/12", "172.16.0.0/12"), ("192.168.100.1/16", "192.168.0.0/16"),
        ("192.168.100.1/24", "192.168.100.0/24"), ("10.0.0.1/32", "10.0.0.1/32"), ("1.2.3.4/0", "0.0.0.0/0"),
    ])
    func masksLikeGo(_ text: String, _ expected: String) {
        #expect(IPv4Network(cidr: text)?.description == expected)
    }

    @Test(arguments: ["10.0.0.0/33", "10.0.0.0", "10.0.0.0/", "10.0.0.0/a", "10.0.0.0/-1"])
    func rejects(_ text: String) { #expect(IPv4Network(cidr: text) == nil) }

    @Test func routability() throws {
        let net24 = try #require(IPv4Network(cidr: "192.168.100.0/24"))
        #expect(!net24.isRoutable(try #require(IPv4Address("192.168.100.0"))))
        #expect(!net24.isRoutable(try #require(IPv4Address("192.168.100.255"))))
        #expect(net24.isRoutable(try #require(IPv4Address("192.168.100.1"))))
        #expect(!net24.isRoutable(try #require(IPv4Address("192.168.101.1"))))
    }

    @Test func subnetsAndOverlap() throws {
        let pool = try #require(IPv4Network(cidr: "172.16.0.0/12"))
        #expect(pool.subnet(prefixLength: 16, index: 0)?.description == "172.16.0.0/16")
        #expect(pool.subnet(prefixLength: 16, index: 15)?.description == "172.31.0.0/16")
        #expect(pool.subnet(prefixLength: 16, index: 16) == nil)
        #expect(pool.subnet(prefixLength: 28, index: 1)?.description == "172.16.0.16/28")
        #expect(pool.subnet(prefixLength: 8, index: 0) == nil)
        #expect(pool.overlaps(try #require(IPv4Network(cidr: "172.20.0.0/16"))))
        #expect(!pool.overlaps(try #require(IPv4Network(cidr: "192.168.0.0/16"))))
        #expect(pool.last.description == "172.31.255.255")
    }
}

@Suite struct IPv4InterfaceTests {
    @Test func keepsHostBits() throws {
        let gateway = try #require(IPv4Interface("192.168.100.1/16"))
        #expect(gateway.address.description == "192.168.100.1")
        #expect(gateway.network.description == "192.168.0.0/16")
        #expect(gateway.description == "192.168.100.1/16")
        #expect(IPv4Interface("192.168.100.1") == nil)
    }
}

@Suite struct IPv4RangeTests {
    @Test(arguments: [
        ("192.168.100.2-100", "192.168.100.2", "192.168.100.100"),
        ("10.0.0.1-10.0.1.5", "10.0.0.1", "10.0.1.5"),
        ("10.10.10.3/28", "10.10.10.3", "10.10.10.15"),
        ("10.10.10.0/24", "10.10.10.0", "10.10.10.255"),
    ])
    func parsesVICForms(_ text: String, _ first: String, _ last: String) throws {
        let range = try #require(IPv4Range(parsing: text))
        #expect(range.first.description == first)
        #expect(range.last.description == last)
    }

    @Test(arguments: ["10.0.0.5-3", "10.0.0.5-10.0.0.1", "10.0.0.5-256", "10.0.0.5-", "garbage", "10.0.0.5-5", "10.0.0.1/33"])
    func rejects(_ text: String) { #expect(IPv4Range(parsing: text) == nil) }

    @Test(arguments: [
        ("10.0.0.0-10.0.0.255", "10.0.0.0/24"), ("10.0.0.1-10.0.0.255", "10.0.0.1-10.0.0.255"),
        ("192.168.100.2-100", "192.168.100.2-192.168.100.100"), ("10.0.0.4-7", "10.0.0.4/30"),
    ])
    func printsLikeVIC(_ text: String, _ expected: String) {
        #expect(IPv4Range(parsing: text)?.description == expected)
    }

    @Test func overlaps() throws {
        let a = try #require(IPv4Range(parsing: "10.0.0.1-10"))
        #expect(a.overlaps(try #require(IPv4Range(parsing: "10.0.0.10-20"))))
        #expect(!a.overlaps(try #require(IPv4Range(parsing: "10.0.0.11-20"))))
    }
}

@Suite struct IdentifierTests {
    @Test func randomIsFullHex() {
        let id = Identifier.random()
        #expect(Identifier.isFull(id))
        #expect(Identifier.short(id).count == 12)
        #expect(id != Identifier.random())
    }
}

@Suite struct VICErrorTests {
    @Test func wrappingKeepsCodeAndAddsContext() {
        let inner = VICError(.notFound, "network x not found")
        let wrapped = VICError.wrapping(inner, "connect c1")
        #expect(wrapped.code == .notFound)
        #expect(wrapped.message == "connect c1: network x not found")
    }
}
