import Foundation
import Testing
import VICCore

@Suite struct IPv6AddressTests {
    /// Text in, RFC 5952 text out (nil: rejected).
    @Test(arguments: [
        ("::", "::"), ("::1", "::1"), ("fd00::1", "fd00::1"), ("FD00:0:0:0:0:0:0:1", "fd00::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("2001:0db8::0001", "2001:db8::1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
        ("::ffff:192.0.2.1", "::ffff:c000:201"), ("fe80::", "fe80::"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"), ("1::2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
    ])
    func parsesAndFormats(_ text: String, _ expected: String) throws {
        let address = try #require(IPv6Address(text))
        #expect(address.description == expected)
        #expect(IPv6Address(expected) == address)
    }

    @Test(arguments: [
        "", ":", ":::", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4::5:6:7:8", "12345::",
        "g::1", ":1::2", "1:::2", "fe80::1%eth0", "fd00::/64", "[::1]", "1.2.3.4", "1.2.3.4::", "::1.2.3",
        "fd00::1 ", "١::",
    ])
    func rejects(_ text: String) {
        #expect(IPv6Address(text) == nil)
    }

    @Test func groupsOrderAndAdvance() throws {
        let address = try #require(IPv6Address("fd00:1:2:3::ff"))
        #expect(address.groups == [0xfd00, 1, 2, 3, 0, 0, 0, 0xff])
        #expect(IPv6Address(groups: address.groups) == address)
        #expect(address.advanced(by: 1)?.description == "fd00:1:2:3::100")
        #expect(IPv6Address(UInt128.max).advanced(by: 1) == nil)
        #expect(try #require(IPv6Address("fd00::2")) < address)
    }

    @Test func codesAsText() throws {
        let address = try #require(IPv6Address("fd00::2"))
        let data = try JSONEncoder().encode([address])
        #expect(String(decoding: data, as: UTF8.self) == #"["fd00::2"]"#)
        #expect(try JSONDecoder().decode([IPv6Address].self, from: data) == [address])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([IPv6Address].self, from: Data(#"["fd00::g"]"#.utf8)) }
    }
}

@Suite struct IPv6NetworkTests {
    @Test(arguments: [
        ("fd00::1/64", "fd00::/64"), ("2001:db8:1:2:3::/48", "2001:db8:1::/48"), ("::1/128", "::1/128"),
        ("fd12:3456:789a:1::5/56", "fd12:3456:789a::/56"), ("1::/0", "::/0"),
    ])
    func masksLikeGo(_ text: String, _ expected: String) {
        #expect(IPv6Network(cidr: text)?.description == expected)
    }

    @Test(arguments: ["fd00::", "fd00::/129", "fd00::/", "fd00::/-1", "fd00::/64/1", "/64", "10.0.0.0/8"])
    func rejectsCIDR(_ text: String) {
        #expect(IPv6Network(cidr: text) == nil)
    }

    @Test func containsOverlapsAndRoutes() throws {
        let net = try #require(IPv6Network(cidr: "fd00:1::/64"))
        let inside = try #require(IPv6Address("fd00:1::ffff:1"))
        #expect(net.contains(inside))
        #expect(!net.contains(try #require(IPv6Address("fd00:2::1"))))
        #expect(net.last.description == "fd00:1::ffff:ffff:ffff:ffff")
        #expect(net.overlaps(try #require(IPv6Network(cidr: "fd00::/16"))))
        #expect(!net.overlaps(try #require(IPv6Network(cidr: "fd00:2::/64"))))
        #expect(!net.isRoutable(net.first))
        #expect(net.isRoutable(inside))
        #expect(try #require(IPv6Network(cidr: "fd00::/127")).isRoutable(try #require(IPv6Address("fd00::"))))
    }

    @Test func uniqueLocalPrefixes() {
        #expect(IPv6Network.uniqueLocal(globalID: 0x12_3456_789a).description == "fd12:3456:789a::/64")
        // Only 40 bits of the ID are used.
        #expect(IPv6Network.uniqueLocal(globalID: 0xffff_ff12_3456_789a).description == "fd12:3456:789a::/64")
    }

    @Test func interfacesKeepHostBits() throws {
        let interface = try #require(IPv6Interface("fd00::2/64"))
        #expect(interface.description == "fd00::2/64")
        #expect(interface.network.description == "fd00::/64")
        #expect(IPv6Interface("fd00::2") == nil)
        #expect(IPv6Interface("fd00::2/64x") == nil)
        let data = try JSONEncoder().encode(interface)
        #expect(try JSONDecoder().decode(IPv6Interface.self, from: data) == interface)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(IPv6Network.self, from: Data(#""fd00::1/64""#.utf8)) }
    }
}
