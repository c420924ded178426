import Foundation
import Testing
import VICConfig
import VICCore
import VICPortLayer
@testable import VICAppliance

@Suite struct ApplianceRulesetTests {
    static func configuration(clientSharesPublic: Bool) throws -> VCHConfiguration {
        func cidr(_ text: String) throws -> IPv4Interface { try #require(IPv4Interface(text)) }
        var nics = [
            ApplianceNIC(name: "public", roles: clientSharesPublic ? [.public, .client] : [.public], portGroup: "vmnet",
                         hostLink: "vh-p", staticAddress: try cidr("10.99.32.10/24"), gateway: nil,
                         address: try cidr("10.99.32.10/24")),
            ApplianceNIC(name: "bridge", roles: [.bridge], portGroup: "br", hostLink: "vh-b", staticAddress: nil, gateway: nil),
        ]
        if !clientSharesPublic {
            nics.insert(ApplianceNIC(name: "client", roles: [.client, .management], portGroup: "c", hostLink: "vh-c",
                                     staticAddress: try cidr("10.99.51.10/24"), gateway: nil,
                                     address: try cidr("10.99.51.10/24")), at: 1)
        }
        return VCHConfiguration(
            name: "t", id: Identifier.random(), created: Date(timeIntervalSince1970: 0), namespace: "vch-t",
            hostNamespace: "vch-t-host", nics: nics,
            bridge: BridgeNetwork(portGroup: "br", range: try #require(IPv4Network(cidr: "172.16.0.0/12")), width: 16),
            containerNetworks: [], dnsServers: [],
            tls: TLSSettings(enabled: true, certificateDirectory: nil, clientCAFiles: [], generatedCertificates: true),
            imageStore: "/tmp/x", registryMirrors: [], insecureRegistries: [], networkIDs: [:])
    }

    @Test func defaultBridgeWithoutPublishedPorts() throws {
        let configuration = try Self.configuration(clientSharesPublic: false)
        let state = FirewallState(bridgeScopes: NetworkScope.builtins(of: configuration), mappings: [])
        #expect(ApplianceRuleset(configuration: configuration, state: state).render() == """
            table inet vic
            delete table inet vic
            table inet vic {
              map published4 {
                type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
              }
              chain prerouting {
                type nat hook prerouting priority dstnat; policy accept;
                iifname "public" dnat ip to ip daddr . meta l4proto . th dport map @published4
                iifname { "bridge" } dnat ip to ip daddr . meta l4proto . th dport map @published4
              }
              chain input {
                type filter hook input priority filter; policy drop;
                iif "lo" accept
                ct state established,related accept
                iifname "client" tcp dport 2376 accept
                iifname { "bridge" } meta l4proto { tcp, udp } th dport 53 accept
                udp sport 67 udp dport 68 accept
                icmp type echo-request accept
                icmpv6 type { echo-request, nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept
              }
              chain forward {
                type filter hook forward priority filter; policy drop;
                ct state established,related accept
                ct status dnat accept
                iifname { "bridge" } oifname "public" ip saddr 172.16.0.0/16 accept
                iifname { "bridge" } reject with icmpx admin-prohibited
              }
              chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                oifname "public" ip saddr 172.16.0.0/16 masquerade
                oifname { "bridge" } ct status dnat ip saddr { 172.16.0.0/16 } masquerade
              }
            }

            """)
    }

    @Test func publishedPortsAndAUserBridgeNetwork() throws {
        let configuration = try Self.configuration(clientSharesPublic: true)
        var scopes = NetworkScope.builtins(of: configuration)
        var user = try #require(scopes.first)
        user.name = "web"
        user.subnet = IPv4Network(cidr: "172.17.0.0/16")
        user.number = 2
        var internalScope = user
        internalScope.name = "quiet"
        internalScope.subnet = IPv4Network(cidr: "172.18.0.0/16")
        internalScope.number = 3
        internalScope.internal = true
        scopes += [user, internalScope]
        let publicIP = try #require(IPv4Address("10.99.32.10"))
        let state = FirewallState(bridgeScopes: scopes, mappings: [
            .init(published: PublishedPort(hostIP: publicIP, hostPort: 8080, containerPort: 80, transport: .tcp),
                  containerAddress: try #require(IPv4Address("172.16.0.2")), network: "bridge"),
            .init(published: PublishedPort(hostIP: publicIP, hostPort: 5353, containerPort: 53, transport: .udp),
                  containerAddress: try #require(IPv4Address("172.17.0.2")), network: "web"),
        ])
        let text = ApplianceRuleset(configuration: configuration, state: state).render()
        let interfaces = #"{ "bridge", "bridge.2", "bridge.3" }"#
        let expected = [
            "elements = { 10.99.32.10 . tcp . 8080 : 172.16.0.2 . 80, 10.99.32.10 . udp . 5353 : 172.17.0.2 . 53 }",
            #"iifname "public" dnat ip to ip daddr . meta l4proto . th dport map @published4"#,
            "iifname \(interfaces) dnat ip to ip daddr . meta l4proto . th dport map @published4",
            #"iifname "public" tcp dport 2376 accept"#,
            "iifname \(interfaces) meta l4proto { tcp, udp } th dport 53 accept",
            "iifname \(interfaces) oifname \"public\" ip saddr 172.17.0.0/16 accept",
            #"oifname "public" ip saddr 172.17.0.0/16 masquerade"#,
            "oifname \(interfaces) ct status dnat ip saddr { 172.16.0.0/16, 172.17.0.0/16, 172.18.0.0/16 } masquerade",
        ]
        for line in expected { #expect(text.contains(line), "missing: \(line)") }
        // An internal network is neither forwarded to the public NIC nor NATed.
        #expect(!text.contains("ip saddr 172.18.0.0/16 accept"))
        #expect(!text.contains("oifname \"public\" ip saddr 172.18.0.0/16 masquerade"))
        // Without its elements, the render is that of the same networks with no published port.
        let bare = ApplianceRuleset(configuration: configuration, state: FirewallState(bridgeScopes: scopes, mappings: []))
        #expect(ApplianceRuleset(configuration: configuration, state: state).render(withElements: false) == bare.render())
    }

    @Test func publishingChangesOnlyMapElements() {
        let a = "10.0.0.5 . tcp . 8080 : 172.16.0.2 . 80"
        let b = "10.0.0.5 . udp . 53 : 172.16.0.3 . 53"
        let moved = "10.0.0.5 . tcp . 8080 : 172.16.0.4 . 80"
        #expect(ApplianceRuleset.elementChanges(from: [a], to: [a]) == nil)
        #expect(ApplianceRuleset.elementChanges(from: [], to: [b, a]) == "add element inet vic published4 { \(a), \(b) }\n")
        #expect(ApplianceRuleset.elementChanges(from: [a, b], to: [b]) == "delete element inet vic published4 { \(a) }\n")
        // A host port moving to another container: the old element goes first, in the same batch.
        #expect(ApplianceRuleset.elementChanges(from: [a], to: [moved])
                == "delete element inet vic published4 { \(a) }\nadd element inet vic published4 { \(moved) }\n")
    }

    @Test func ephemeralRangeFromProc() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("range-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "32768\t60999\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(PublishingPolicy.ephemeralRange(file) == 32768...60999)
        try "9 3\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(PublishingPolicy.ephemeralRange(file) == nil)
    }
}

@Suite struct ContainerNameDirectoryTests {
    @Test(arguments: [
        (["db:database"], ["database": "db"]),
        (["/db:/web/database"], ["database": "db"]),
        (["db"], ["db": "db"]),
        (["db:database", "cache"], ["database": "db", "cache": "cache"]),
        ([":x", ""], [:]),
    ] as [([String], [String: String])])
    func linkSpecs(_ specs: [String], _ expected: [String: String]) {
        #expect(ContainerNameDirectory.links(specs) == expected)
    }
}
