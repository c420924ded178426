import Foundation
import Testing
import VICConfig
import VICCore

@Suite struct ConfigurationStoreTests {
    /// Every field set, with DNS lists, several ranges and gateways of several prefix lengths:
    /// the "unable to encode []net.IP" class of bug cannot happen.
    static func everything() throws -> VCHConfiguration {
        func ip(_ text: String) throws -> IPv4Address { try #require(IPv4Address(text)) }
        func cidr(_ text: String) throws -> IPv4Interface { try #require(IPv4Interface(text)) }
        func range(_ text: String) throws -> IPv4Range { try #require(IPv4Range(parsing: text)) }
        return VCHConfiguration(
            name: "demo", id: Identifier.random(), created: Date(timeIntervalSince1970: 1_780_000_000),
            namespace: "vch-demo", hostNamespace: "vch-demo-host",
            nics: [
                ApplianceNIC(name: "public", roles: [.public, .client], portGroup: "vmnet", hostLink: "vh0-p",
                             staticAddress: try cidr("10.0.0.2/24"),
                             gateway: GatewaySpec(destinations: [], address: try ip("10.0.0.1")),
                             address: try cidr("10.0.0.2/24")),
                ApplianceNIC(name: "management", roles: [.management], portGroup: "mgmt", hostLink: "vh0-m",
                             staticAddress: nil,
                             gateway: GatewaySpec(destinations: [try #require(IPv4Network(cidr: "10.9.0.0/16")),
                                                                 try #require(IPv4Network(cidr: "10.8.1.0/24"))],
                                                  address: try ip("10.60.0.1")),
                             address: try cidr("10.60.0.150/26"), dhcpRouters: [try ip("10.60.0.1")]),
                ApplianceNIC(name: "bridge", roles: [.bridge], portGroup: "br", hostLink: "vh0-b",
                             staticAddress: nil, gateway: nil),
            ],
            bridge: BridgeNetwork(portGroup: "br", range: try #require(IPv4Network(cidr: "172.16.0.0/12")), width: 28),
            containerNetworks: [
                ContainerNetwork(portGroup: "connw", name: "con-nw", gateway: try cidr("192.168.100.1/16"),
                                 ranges: [try range("192.168.100.2-100"), try range("192.168.101.0/24")],
                                 dnsServers: [try ip("192.168.100.1"), try ip("192.168.100.2")], trust: .peers),
                ContainerNetwork(portGroup: "small", name: "small", gateway: try cidr("10.1.1.1/24"),
                                 ranges: [try range("10.1.1.10-20")], dnsServers: [try ip("10.1.1.1")], trust: .closed),
                ContainerNetwork(portGroup: "dyn", name: "dyn", gateway: nil, ranges: [], dnsServers: [], trust: .open),
            ],
            dnsServers: [try ip("10.0.0.53"), try ip("10.0.0.54"), try ip("10.0.0.55")],
            tls: TLSSettings(enabled: true, certificateDirectory: "/root/demo", clientCAFiles: ["/etc/ca.pem"],
                             generatedCertificates: true),
            imageStore: "/var/lib/vic/demo/images", registryMirrors: ["http://10.0.0.9:5000"],
            insecureRegistries: ["10.0.0.9:5000"], networkIDs: ["bridge": Identifier.random()])
    }

    @Test func roundTripsEveryField() throws {
        let configuration = try Self.everything()
        let data = try ConfigurationStore.encode(configuration)
        #expect(try ConfigurationStore.decode(data) == configuration)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"192.168.100.1/16\""))
        #expect(text.contains("\"192.168.100.2-192.168.100.100\""))
    }

    @Test func savesAndLoadsCrashSafe() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vic-config-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ConfigurationStore(paths: VCHPaths(stateRoot: root, runRoot: root + "/run"))
        let configuration = try Self.everything()
        try store.save(configuration)
        #expect(try store.load("demo") == configuration)
        #expect(store.names() == ["demo"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root + "/demo").filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func refusesNewerVersions() throws {
        let data = Data(#"{"version": 99, "name": "x"}"#.utf8)
        #expect(throws: VICError.self) { try ConfigurationStore.decode(data) }
    }

    @Test func missingIsNotFound() {
        let store = ConfigurationStore(paths: VCHPaths(stateRoot: "/nonexistent-vic", runRoot: "/nonexistent-vic"))
        #expect { try store.load("nope") } throws: { ($0 as? VICError)?.code == .notFound }
    }
}

@Suite struct HostChangeJournalTests {
    @Test func recordsAndForgetsDurably() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vic-journal-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var journal = try HostChangeJournal(path: path)
        try journal.record(.namespace(name: "vch-a"))
        try journal.record(.link(name: "vh1-p"))
        try journal.record(.address(try #require(IPv4Interface("192.168.213.1/24")), link: "vicho-1"))
        try journal.record(.process(pid: 42, executable: "/usr/local/bin/vchd"))
        #expect(try HostChangeJournal(path: path).changes == journal.changes)
        try journal.forget(.link(name: "vh1-p"))
        #expect(try HostChangeJournal(path: path).changes.count == 3)
    }
}
