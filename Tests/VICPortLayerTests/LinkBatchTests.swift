import Synchronization
import Testing
import VICCore
import VICPlumbing
@testable import VICPortLayer

@Suite struct IPRoute2BatchTests {
    static let address = IPv4Interface("172.16.0.2/16")
    static let gateway = IPv4Address("172.16.0.1")

    @Test func argumentsOfEachChange() throws {
        let address = try #require(Self.address), gateway = try #require(Self.gateway)
        #expect(IPRoute2Batch.arguments(.deleteLink("vc1")) == ["link", "del", "dev", "vc1"])
        #expect(IPRoute2Batch.arguments(.createVethPair(
            hostName: "vc1", bridge: "br0", peerName: "eth0", peerNamespace: "vch-x-c1", peerMAC: "02:42:ac:10:00:02"))
            == ["link", "add", "name", "vc1", "master", "br0", "up", "type", "veth", "peer", "name", "eth0",
                "address", "02:42:ac:10:00:02", "netns", "vch-x-c1"])
        #expect(IPRoute2Batch.arguments(.createVethPair(
            hostName: "vc1", bridge: nil, peerName: "eth0", peerNamespace: "ns", peerMAC: nil))
            == ["link", "add", "name", "vc1", "up", "type", "veth", "peer", "name", "eth0", "netns", "ns"])
        #expect(IPRoute2Batch.arguments(.setUp("eth0")) == ["link", "set", "dev", "eth0", "up"])
        #expect(IPRoute2Batch.arguments(.addAddress(address, link: "eth0"))
            == ["address", "replace", "172.16.0.2/16", "dev", "eth0"])
        #expect(IPRoute2Batch.arguments(.replaceRoute(to: nil, via: gateway, device: "eth0"))
            == ["route", "replace", "default", "via", "172.16.0.1", "dev", "eth0"])
        #expect(IPRoute2Batch.arguments(.deleteRoute(to: nil)) == ["route", "del", "default"])
    }

    @Test func scriptHasOneLinePerChangeAndRefusesWhatCannotBeQuoted() throws {
        #expect(try IPRoute2Batch.script([.setUp("lo"), .deleteLink("vc1")])
            == "link set dev lo up\nlink del dev vc1\n")
        #expect(try IPRoute2Batch.script([.setUp("a b")]) == "link set dev \"a b\" up\n")
        #expect(throws: VICError.self) { try IPRoute2Batch.script([.setUp("a\"b")]) }
        #expect(throws: VICError.self) { try IPRoute2Batch.script([.setUp("a#b")]) }
        #expect(throws: VICError.self) { try IPRoute2Batch.script([.setUp("a\nlink del dev eth0")]) }
    }

    @Test func failuresAreAttributedToTheirLines() {
        let stderr = "Cannot find device \"vc1\"\nCommand failed -:1\nError: Nexthop has invalid gateway.\nCommand failed -:4\n"
        #expect(IPRoute2Batch.failures(standardError: stderr)
            == [1: "Cannot find device \"vc1\"", 4: "Error: Nexthop has invalid gateway."])
        #expect(IPRoute2Batch.failures(standardError: "Cannot open network namespace \"x\": No such file or directory\n")
            == [0: "Cannot open network namespace \"x\": No such file or directory"])
    }

    @Test func alreadyDoneIsNotAnError() throws {
        let changes: [LinkChange] = [.deleteLink("vc1"), .setUp("vc1")]
        #expect(IPRoute2Batch.firstError(changes, status: 0, standardError: "") == nil)
        #expect(IPRoute2Batch.firstError(
            changes, status: 1, standardError: "Cannot find device \"vc1\"\nCommand failed -:1\n") == nil)
        let error = IPRoute2Batch.firstError(
            changes, status: 1, standardError: "Cannot find device \"vc1\"\nCommand failed -:2\n")
        #expect(error?.message == "ip link set dev vc1 up: Cannot find device \"vc1\"")
        #expect(IPRoute2Batch.firstError(changes, status: 1, standardError: "") != nil)
        #expect(IPRoute2Batch.firstError(changes, status: 255, standardError: "Cannot open network namespace\n") != nil)
    }
}

/// Records what `ContainerNetworking` asks of the kernel.
final class RecordingLinks: LinkControl, Sendable {
    let calls = Mutex<[String]>([])
    let namespaces = Mutex<Set<String>>([])

    func record(_ call: String) { calls.withLock { $0.append(call) } }
    func links(in namespace: String?) async throws -> [LinkInfo] { record("links \(namespace ?? "-")"); return [] }
    func createBridge(named name: String, alias: String?, in namespace: String?) async throws {}
    func createVethPair(hostName: String, in namespace: String?, peerName: String, peerNamespace: String) async throws {}
    func attach(link: String, toBridge bridge: String, in namespace: String?) async throws {}
    func setMACAddress(_ address: String, of link: String, in namespace: String?) async throws {}
    func nameNamespace(_ name: String, ofProcess pid: Int32) async throws {}
    func setUp(link: String, in namespace: String?) async throws {}
    func deleteLink(named name: String, in namespace: String?) async throws { record("del \(name)") }
    func addAddress(_ address: IPv4Interface, to link: String, in namespace: String?) async throws {}
    func addAddress6(_ address: IPv6Interface, to link: String, in namespace: String?) async throws {}
    func removeAddress(_ address: IPv4Interface, from link: String, in namespace: String?) async throws {}
    func replaceRoute(to destination: IPv4Network?, via gateway: IPv4Address, device: String, in namespace: String?) async throws {}
    func deleteRoute(to destination: IPv4Network?, in namespace: String?) async throws {}
    func setVLANFiltering(_ enabled: Bool, bridge: String, in namespace: String?) async throws {}
    func addBridgeVLAN(_ vid: Int, to link: String, untaggedPVID: Bool, onBridgeItself: Bool, in namespace: String?) async throws {}
    func removeBridgeVLAN(_ vid: Int, from link: String, in namespace: String?) async throws {}
    func createVLANLink(named name: String, parent: String, vid: Int, in namespace: String?) async throws {}
    func apply(_ changes: [LinkChange], in namespace: String?) async throws {
        record("batch \(namespace ?? "-"): " + changes.map { IPRoute2Batch.arguments($0).joined(separator: " ") }.joined(separator: "; "))
    }
    func namespaceExists(_ name: String) async throws -> Bool { namespaces.withLock { $0.contains(name) } }
    func createNamespace(_ name: String) async throws { try await createNamespace(name, loopbackUp: true) }
    func createNamespace(_ name: String, loopbackUp: Bool) async throws {
        namespaces.withLock { _ = $0.insert(name) }
        record("netns add \(name)\(loopbackUp ? " lo up" : "")")
    }
    func deleteNamespace(_ name: String) async throws {
        namespaces.withLock { _ = $0.remove(name) }
        record("netns del \(name)")
    }
}

@Suite struct ContainerNetworkingBatchTests {
    static let id = "c57978485766aaaa"

    func endpoint(_ address: String, gateway: String?) throws -> Endpoint {
        Endpoint(network: "bridge", networkID: "a43aa1ffff", address: try #require(IPv4Interface(address)),
                 gateway: gateway.flatMap { IPv4Address($0) }, macAddress: "02:42:ac:10:00:02", dnsServers: [])
    }

    @Test func aStaticNICIsOneBatchPerNamespace() async throws {
        let links = RecordingLinks()
        let networking = ContainerNetworking(links: links, hostNamespace: "host", namespacePrefix: "vch-x-")
        let nic = ContainerNetworking.NIC(endpoint: try endpoint("172.16.0.2/16", gateway: "172.16.0.1"),
                                          interface: "eth0", portGroup: "bridgedpg")
        try await networking.prepare(Self.id, networkIDs: ["a43aa1ffff"])
        try await networking.attach(Self.id, [nic], defaultRoute: (try #require(IPv4Address("172.16.0.1")), "eth0"))
        #expect(links.calls.withLock { $0 } == [
            "netns add vch-x-c57978485766",
            "batch host: link del dev vcc579784a43aa1; link add name vcc579784a43aa1 master bridgedpg up type veth"
                + " peer name eth0 address 02:42:ac:10:00:02 netns vch-x-c57978485766",
            "batch vch-x-c57978485766: link set dev lo up; link set dev eth0 up;"
                + " address replace 172.16.0.2/16 dev eth0; route replace default via 172.16.0.1 dev eth0",
        ])
    }

    @Test func anIPv6EndpointGetsItsAddressWithoutDADAndNoIPv6Route() throws {
        let networking = ContainerNetworking(links: RecordingLinks(), hostNamespace: "host", namespacePrefix: "vch-x-")
        var endpoint = try endpoint("172.20.0.2/16", gateway: "172.20.0.1")
        endpoint.address6 = IPv6Interface("fd00:6::2/64")
        endpoint.gateway6 = IPv6Address("fd00:6::1")
        let nic = ContainerNetworking.NIC(endpoint: endpoint, interface: "eth0", portGroup: "br")
        let (_, container) = networking.changes(Self.id, [nic], defaultRoute: (try #require(IPv4Address("172.20.0.1")), "eth0"))
        #expect(container.map { IPRoute2Batch.arguments($0).joined(separator: " ") } == [
            "link set dev lo up", "link set dev eth0 up", "address replace 172.20.0.2/16 dev eth0",
            "address replace fd00:6::2/64 dev eth0 nodad", "route replace default via 172.20.0.1 dev eth0",
        ])
    }

    @Test func aDynamicNICGetsNoAddressHere() throws {
        let networking = ContainerNetworking(links: RecordingLinks(), hostNamespace: "host", namespacePrefix: "vch-x-")
        let nic = ContainerNetworking.NIC(endpoint: try endpoint("0.0.0.0/0", gateway: nil), interface: "eth0", portGroup: "br")
        let (_, container) = networking.changes(Self.id, [nic], defaultRoute: nil)
        #expect(container == [.setUp("lo"), .setUp("eth0")])
    }

    @Test func detachDeletesHostEndsThenTheNamespaceAndNothingWhenItIsGone() async throws {
        let links = RecordingLinks()
        let networking = ContainerNetworking(links: links, hostNamespace: "host", namespacePrefix: "vch-x-")
        try await networking.detach(Self.id, networkIDs: ["a43aa1ffff"])
        #expect(links.calls.withLock { $0 }.isEmpty)
        try await links.createNamespace("vch-x-c57978485766", loopbackUp: false)
        try await networking.detach(Self.id, networkIDs: ["a43aa1ffff"])
        #expect(links.calls.withLock { $0 }.suffix(2) == [
            "batch host: link del dev vcc579784857; link del dev vcc579784a43aa1",
            "netns del vch-x-c57978485766",
        ])
    }
}
