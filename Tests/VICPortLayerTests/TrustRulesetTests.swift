import Testing
import VICConfig
import VICCore
import VICPlumbing
@testable import VICPortLayer

@Suite struct TrustRulesetTests {
    static let pool = IPv4Range(parsing: "192.168.100.2-100")

    @Test func publishedOpensPortsAndRedirects() throws {
        let ruleset = TrustRuleset(members: [.init(
            interface: "eth0", trust: .published,
            ports: [PortBinding(containerPort: 80), PortBinding(containerPort: 8080, hostPorts: 8081...8081)])])
        #expect(ruleset.render() == """
            table inet vic
            delete table inet vic
            table inet vic {
              chain input {
                type filter hook input priority filter; policy accept;
                iifname "eth0" ct state established,related accept
                iifname "eth0" icmp type echo-request accept
                iifname "eth0" tcp dport 80 accept
                iifname "eth0" tcp dport 8080 accept
                iifname "eth0" drop
              }
              chain output {
                type filter hook output priority filter; policy accept;
              }
              chain prerouting {
                type nat hook prerouting priority dstnat; policy accept;
                iifname "eth0" tcp dport 8081 redirect to :8080
              }
            }

            """)
    }

    @Test func closedDropsBothWaysButKeepsDHCP() throws {
        let text = TrustRuleset(members: [.init(interface: "eth1", trust: .closed, dynamic: true)]).render()
        #expect(text.contains("""
                iifname "eth1" udp sport 67 udp dport 68 accept
                iifname "eth1" drop
            """))
        #expect(text.contains("""
                oifname "eth1" udp sport 68 udp dport 67 accept
                oifname "eth1" drop
            """))
    }

    @Test func outboundPeersAndOpen() throws {
        let peers = try #require(Self.pool)
        let text = TrustRuleset(members: [
            .init(interface: "eth0", trust: .outbound),
            .init(interface: "eth1", trust: .peers, peers: [peers],
                  ports: [PortBinding(containerPort: 80, hostPorts: 8000...8000)]),
            .init(interface: "eth2", trust: .open, ports: [PortBinding(containerPort: 80, hostPorts: 81...81)]),
        ]).render()
        #expect(text.contains("""
                iifname "eth0" ct state established,related accept
                iifname "eth0" drop
                iifname "eth1" ct state established,related accept
                iifname "eth1" ip saddr { 192.168.100.2-192.168.100.100 } accept
                iifname "eth1" drop
              }
            """))
        #expect(text.contains("iifname \"eth1\" tcp dport 8000 redirect to :80"))
        #expect(text.contains("iifname \"eth2\" tcp dport 81 redirect to :80"))
        #expect(!text.contains("iifname \"eth2\" drop"))
    }

    @Test(arguments: [
        (TrustLevel.closed, [PortBinding(containerPort: 80)], "firewall configured as either \"closed\" or \"outbound\""),
        (.outbound, [PortBinding(containerPort: 80)], "ports cannot be published via container network cn"),
        (.peers, [PortBinding(containerPort: 80)], "must specify a mapping"),
        (.published, [PortBinding(containerPort: 80, hostPorts: 8000...8002)], "cannot include both a redirect and a range"),
    ])
    func refusedPublishing(_ trust: TrustLevel, _ bindings: [PortBinding], _ message: String) {
        do {
            try TrustRuleset.validate(bindings, trust: trust, network: "cn")
            Issue.record("accepted")
        } catch let error as VICError {
            #expect(error.message.contains(message), "\(error.message)")
        } catch { Issue.record("\(error)") }
    }

    @Test func acceptedPublishing() throws {
        try TrustRuleset.validate([PortBinding(containerPort: 80)], trust: .published, network: "cn")
        try TrustRuleset.validate([PortBinding(containerPort: 80, hostPorts: 81...81)], trust: .peers, network: "cn")
        try TrustRuleset.validate([], trust: .closed, network: "cn")
    }
}

@Suite struct IPRoute2ArgumentsTests {
    @Test func vlanCommands() throws {
        #expect(IPRoute2Arguments.vlanFiltering(true, bridge: "br0") == ["link", "set", "dev", "br0", "type", "bridge", "vlan_filtering", "1"])
        #expect(try IPRoute2Arguments.addVLAN(5, to: "vc1", untaggedPVID: true, onBridgeItself: false)
                == ["vlan", "add", "dev", "vc1", "vid", "5", "pvid", "untagged"])
        #expect(try IPRoute2Arguments.addVLAN(5, to: "br0", untaggedPVID: false, onBridgeItself: true)
                == ["vlan", "add", "dev", "br0", "vid", "5", "self"])
        #expect(try IPRoute2Arguments.removeVLAN(1, from: "vc1") == ["vlan", "del", "dev", "vc1", "vid", "1"])
        #expect(try IPRoute2Arguments.addVLANLink(named: "bridge.5", parent: "bridge", vid: 5)
                == ["link", "add", "link", "bridge", "name", "bridge.5", "type", "vlan", "id", "5"])
        #expect(throws: VICError.self) { try IPRoute2Arguments.addVLANLink(named: "x", parent: "y", vid: 4095) }
        #expect(throws: VICError.self) { try IPRoute2Arguments.removeVLAN(0, from: "x") }
    }
}
