import Testing
import VICCore
@testable import VICDNS

/// A directory with two bridge networks ("bridge", "front") and one isolated network.
enum Fixture {
    static func id(_ digit: Character) -> String { String(repeating: digit, count: 64) }
    static func ip(_ text: String) -> IPv4Address { IPv4Address(text)! }

    static let directory = NameDirectory(containers: [
        .init(id: id("a"), name: "/web", endpoints: [
            .init(network: "bridge", address: ip("172.16.0.2")),
            .init(network: "front", address: ip("172.17.0.2"), aliases: ["api"]),
        ]),
        .init(id: id("b"), name: "db", endpoints: [.init(network: "bridge", address: ip("172.16.0.3"), aliases: ["store"])]),
        .init(id: id("c"), name: "db2", endpoints: [.init(network: "bridge", address: ip("172.16.0.4"), aliases: ["Store"])]),
        .init(id: id("d"), name: "other", endpoints: [.init(network: "isolated", address: ip("172.18.0.2"))]),
        // c1 declares --link db:database.
        .init(id: id("e"), name: "c1", endpoints: [.init(network: "bridge", address: ip("172.16.0.5"))],
              links: ["database": "db"]),
        .init(id: id("f"), name: "c2", endpoints: [.init(network: "front", address: ip("172.17.0.3"))]),
        .init(id: id("1"), name: "c3", endpoints: [
            .init(network: "bridge", address: ip("172.16.0.6")), .init(network: "front", address: ip("172.17.0.6")),
        ]),
    ])
}

@Suite struct NameResolverTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var client: String
        var name: String
        var type = DNSRecordType.a
        var expected: NameResolver.Resolution
        var testDescription: String { "\(client) asks \(name) \(type)" }
    }

    static func answer(_ addresses: String...) -> NameResolver.Resolution {
        .addresses(addresses.map(Fixture.ip))
    }

    static let cases: [Case] = [
        Case(client: "172.16.0.5", name: "web", expected: answer("172.16.0.2")),
        Case(client: "172.16.0.5", name: "WEB.", expected: answer("172.16.0.2")),
        // The address on the network shared with the sender.
        Case(client: "172.17.0.3", name: "web", expected: answer("172.17.0.2")),
        Case(client: "172.16.0.6", name: "web", expected: answer("172.16.0.2", "172.17.0.2")),
        // Not visible from another network: not ours, upstream answers (NXDOMAIN in VIC's tests).
        Case(client: "172.16.0.5", name: "other", expected: .forward),
        Case(client: "172.17.0.3", name: "db", expected: .forward),
        // name.network restricts to that network, which the sender must be on.
        Case(client: "172.16.0.5", name: "web.bridge", expected: answer("172.16.0.2")),
        Case(client: "172.16.0.6", name: "web.front", expected: answer("172.17.0.2")),
        Case(client: "172.16.0.5", name: "web.front", expected: .forward),
        Case(client: "172.16.0.5", name: "other.isolated", expected: .forward),
        // Short IDs (a full ID is 64 characters, longer than a DNS label may be).
        Case(client: "172.16.0.5", name: "aaaaaaaaaaaa", expected: answer("172.16.0.2")),
        Case(client: "172.16.0.5", name: "AAAAAAAAAAAA.bridge", expected: answer("172.16.0.2")),
        Case(client: "172.16.0.5", name: "aaaaaaaaaaa", expected: .forward),
        // Links: only the declaring container sees them.
        Case(client: "172.16.0.5", name: "database", expected: answer("172.16.0.3")),
        Case(client: "172.16.0.5", name: "database.bridge", expected: answer("172.16.0.3")),
        Case(client: "172.16.0.6", name: "database", expected: .forward),
        // Network aliases: every holder on the networks in play, case-insensitively.
        Case(client: "172.16.0.5", name: "store", expected: answer("172.16.0.3", "172.16.0.4")),
        Case(client: "172.17.0.3", name: "api", expected: answer("172.17.0.2")),
        Case(client: "172.16.0.5", name: "api", expected: .forward),
        Case(client: "172.16.0.6", name: "api.bridge", expected: .forward),
        // A name that resolves, asked for another type: NODATA.
        Case(client: "172.16.0.5", name: "web", type: .aaaa, expected: .noData),
        Case(client: "172.16.0.5", name: "store", type: .mx, expected: .noData),
        // An unknown sender, an outside name, the root.
        Case(client: "10.0.0.9", name: "web", expected: .forward),
        Case(client: "172.16.0.5", name: "example.com", expected: .forward),
        Case(client: "172.16.0.5", name: "web.example.com", expected: .forward),
        Case(client: "172.16.0.5", name: ".", expected: .forward),
    ]

    @Test(arguments: cases)
    func resolves(_ testCase: Case) throws {
        let resolver = NameResolver(directory: Fixture.directory)
        let name = try #require(DNSName(testCase.name))
        #expect(resolver.resolve(name, type: testCase.type, from: Fixture.ip(testCase.client)) == testCase.expected)
    }

    @Test func rotatesSeveralHolders() throws {
        let resolver = NameResolver(directory: Fixture.directory)
        let store = try #require(DNSName("store"))
        let client = Fixture.ip("172.16.0.5")
        let firsts = (0..<4).compactMap { rotation -> IPv4Address? in
            guard case .addresses(let all) = resolver.resolve(store, type: .a, from: client, rotation: rotation)
            else { return nil }
            #expect(Set(all) == [Fixture.ip("172.16.0.3"), Fixture.ip("172.16.0.4")])
            return all.first
        }
        #expect(firsts == ["172.16.0.3", "172.16.0.4", "172.16.0.3", "172.16.0.4"].map(Fixture.ip))
    }

    @Test func linkTakesPrecedenceOverANameAndFollowsATargetThatArrivesLater() throws {
        var directory = NameDirectory(containers: [
            .init(id: Fixture.id("1"), name: "app", endpoints: [.init(network: "bridge", address: Fixture.ip("172.16.0.9"))],
                  links: ["web": "db"]),
            .init(id: Fixture.id("2"), name: "web", endpoints: [.init(network: "bridge", address: Fixture.ip("172.16.0.10"))]),
        ])
        let web = try #require(DNSName("web"))
        let client = Fixture.ip("172.16.0.9")
        // The link target does not run yet: the name rule answers.
        #expect(NameResolver(directory: directory).resolve(web, type: .a, from: client) == Self.answer("172.16.0.10"))
        directory.containers.append(
            .init(id: Fixture.id("3"), name: "db", endpoints: [.init(network: "bridge", address: Fixture.ip("172.16.0.11"))]))
        #expect(NameResolver(directory: directory).resolve(web, type: .a, from: client) == Self.answer("172.16.0.11"))
    }

    @Test func answersAAAAFromIPv6EndpointsOnly() throws {
        let directory = NameDirectory(containers: [
            .init(id: Fixture.id("1"), name: "web", endpoints: [
                .init(network: "bridge", address: Fixture.ip("172.16.0.2")),
                .init(network: "six", address: Fixture.ip("172.20.0.2"), aliases: ["api"], address6: IPv6Address("fd00:6::2")),
            ]),
            .init(id: Fixture.id("2"), name: "api2", endpoints: [
                .init(network: "six", address: Fixture.ip("172.20.0.3"), aliases: ["api"], address6: IPv6Address("fd00:6::3")),
            ]),
            .init(id: Fixture.id("3"), name: "old", endpoints: [.init(network: "bridge", address: Fixture.ip("172.16.0.3"))]),
        ])
        let resolver = NameResolver(directory: directory)
        let fromSix = Fixture.ip("172.20.0.3")
        let fromBridge = Fixture.ip("172.16.0.3")
        let six: [IPv6Address] = ["fd00:6::2", "fd00:6::3"].compactMap { IPv6Address($0) }
        #expect(resolver.resolve(try #require(DNSName("web")), type: .aaaa, from: fromSix) == .addresses6([six[0]]))
        #expect(resolver.resolve(try #require(DNSName("api")), type: .aaaa, from: fromSix, rotation: 1) == .addresses6([six[1], six[0]]))
        // Seen over the bridge network, web has no IPv6 address: NODATA, not the other network's.
        #expect(resolver.resolve(try #require(DNSName("web")), type: .aaaa, from: fromBridge) == .noData)
        #expect(resolver.resolve(try #require(DNSName("web")), type: .a, from: fromBridge) == Self.answer("172.16.0.2"))
    }

    @Test func findsTheSenderByAnyOfItsAddresses() {
        #expect(Fixture.directory.container(at: Fixture.ip("172.17.0.6"))?.name == "c3")
        #expect(Fixture.directory.container(at: Fixture.ip("172.16.0.2"))?.name == "web")
        #expect(Fixture.directory.container(at: Fixture.ip("172.16.0.200")) == nil)
    }
}
