import Foundation
import VICCore
import VICPlumbing

/// Gives a container its network namespace and NICs: per network, a veth whose host end joins
/// the network's port group (a bridge in the host namespace) and whose peer is `ethN` in the
/// container's own namespace, with its address and MAC. A user bridge network's port group is
/// its own bridge, so its members share L2 with no other network. Privilege: root.
public struct ContainerNetworking: Sendable {
    public let links: any LinkControl
    /// The name under /run/netns of the host namespace, where port groups live.
    public let hostNamespace: String
    /// Prefix for container namespace names: `vch-<name>-`.
    public let namespacePrefix: String
    /// The packet filter inside container namespaces (trust levels).
    public let filter: any PacketFilter
    /// busybox, whose udhcpc leases addresses on DHCP container networks.
    public let busybox: String

    public init(links: any LinkControl, hostNamespace: String, namespacePrefix: String,
                filter: any PacketFilter = NFTables(), busybox: String = "/bin/busybox") {
        self.links = links
        self.hostNamespace = hostNamespace
        self.namespacePrefix = namespacePrefix
        self.filter = filter
        self.busybox = busybox
    }

    public func namespace(for id: String) -> String { namespacePrefix + Identifier.short(id) }
    public func namespacePath(for id: String) -> String { "/run/netns/\(namespace(for: id))" }
    /// The host end of the single NIC of earlier vic versions: "vc" + 10 characters of the ID.
    public func hostLink(for id: String) -> String { "vc" + String(id.prefix(10)) }
    /// The host end of the container's NIC on one network: "vc" + 7 characters of the container
    /// ID + 6 of the network ID (15, the kernel's limit), so a NIC is found by its network.
    public func hostLink(for id: String, network networkID: String) -> String {
        "vc" + String(id.prefix(7)) + String(networkID.prefix(6))
    }

    /// Creates the container's namespace with only loopback. Idempotent: leftovers of an
    /// earlier run are removed first.
    public func prepare(_ id: String) async throws {
        try await detach(id)
        try await links.createNamespace(namespace(for: id))
    }

    /// Adds the NIC `interface` on `endpoint`'s network, on `portGroup`. A dynamic endpoint gets
    /// no address here.
    public func attach(_ id: String, endpoint: Endpoint, interface: String, portGroup: String) async throws {
        let namespace = namespace(for: id)
        let hostLink = hostLink(for: id, network: endpoint.networkID)
        try await links.deleteLink(named: hostLink, in: hostNamespace)
        try await links.createVethPair(hostName: hostLink, in: hostNamespace, peerName: interface, peerNamespace: namespace)
        try await links.attach(link: hostLink, toBridge: portGroup, in: hostNamespace)
        try await links.setUp(link: hostLink, in: hostNamespace)
        try await links.setMACAddress(endpoint.macAddress, of: interface, in: namespace)
        if !endpoint.isDynamic {
            try await links.addAddress(endpoint.address, to: interface, in: namespace)
        }
        try await links.setUp(link: interface, in: namespace)
    }

    /// Points the container's default route at `gateway` through `interface`, or removes it.
    public func setDefaultRoute(_ id: String, via gateway: IPv4Address?, interface: String) async throws {
        if let gateway {
            try await links.replaceRoute(to: nil, via: gateway, device: interface, in: namespace(for: id))
        } else {
            try await links.deleteRoute(to: nil, in: namespace(for: id))
        }
    }

    /// Leases an address for `interface` from the port group's DHCP server and keeps renewing
    /// it in the background until `releaseLease`.
    public func acquireLease(_ id: String, interface: String, hostname: String, leaseDirectory: String) async throws -> DHCPLease {
        let client = DHCPClient(busybox: busybox, leaseDirectory: leaseDirectory)
        return try await client.acquireAndRenew(
            interface: interface, hostname: hostname, namespace: namespace(for: id),
            pidFile: "\(leaseDirectory)/\(interface).pid")
    }

    /// Stops every DHCP client that `acquireLease` left running for the container.
    public func releaseLeases(leaseDirectory: String) {
        let client = DHCPClient(busybox: busybox, leaseDirectory: leaseDirectory)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: leaseDirectory)) ?? []
        for file in files where file.hasSuffix(".pid") {
            client.stopRenewing(pidFile: "\(leaseDirectory)/\(file)")
        }
    }

    /// Loads the container's trust-level packet filter inside its namespace.
    public func applyTrust(_ ruleset: TrustRuleset, to id: String) async throws {
        try await filter.load(ruleset.render(), in: namespace(for: id))
    }

    /// The first `ethN` not present in the container's namespace (for a NIC added live).
    public func nextInterfaceName(_ id: String) async throws -> String {
        let names = Set(try await links.links(in: namespace(for: id)).map(\.name))
        var index = 0
        while names.contains("eth\(index)") { index += 1 }
        return "eth\(index)"
    }

    /// Removes the container's NIC on one network.
    public func detach(_ id: String, networkID: String) async throws {
        try await links.deleteLink(named: hostLink(for: id, network: networkID), in: hostNamespace)
    }

    /// Removes the namespace, and with it every NIC; what is already gone is not an error.
    public func detach(_ id: String) async throws {
        try await links.deleteLink(named: hostLink(for: id), in: hostNamespace)
        try await links.deleteNamespace(namespace(for: id))
    }

    /// A locally administered unicast MAC derived from the address: 02:42:a.b.c.d, like Docker.
    public static func macAddress(for address: IPv4Address) -> String {
        (["02", "42"] + address.octets.map { String(format: "%02x", $0) }).joined(separator: ":")
    }

    /// A random locally administered unicast MAC, for an endpoint whose address is not known yet.
    public static func randomMACAddress() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return (["02", "42"] + bytes.map { String(format: "%02x", $0) }).joined(separator: ":")
    }
}

extension Endpoint {
    /// The address that marks an endpoint whose address comes from DHCP and is not leased yet.
    public static func unleased() throws -> IPv4Interface {
        guard let address = IPv4Interface(address: IPv4Address(0), prefixLength: 0) else {
            throw VICError(.internal, "cannot make the unleased address")
        }
        return address
    }

    /// The endpoint is on a DHCP network: its address is leased at start, cleared at stop.
    public var isDynamic: Bool { address.address.value == 0 }
}
