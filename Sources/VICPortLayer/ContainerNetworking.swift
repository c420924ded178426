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

    /// One NIC to add: `interface` in the container, on `endpoint`'s network, whose host end
    /// joins the bridge `portGroup`.
    public struct NIC: Sendable, Equatable {
        public var endpoint: Endpoint
        public var interface: String
        public var portGroup: String

        public init(endpoint: Endpoint, interface: String, portGroup: String) {
            self.endpoint = endpoint
            self.interface = interface
            self.portGroup = portGroup
        }
    }

    /// Creates the container's namespace with only loopback (still down: `attach` brings it
    /// up). Idempotent: leftovers of an earlier run (`networkIDs`: its networks) go first.
    public func prepare(_ id: String, networkIDs: [String] = []) async throws {
        try await detach(id, networkIDs: networkIDs)
        try await links.createNamespace(namespace(for: id), loopbackUp: false)
    }

    /// Adds the NIC `interface` on `endpoint`'s network, on `portGroup`. A dynamic endpoint gets
    /// no address here.
    public func attach(_ id: String, endpoint: Endpoint, interface: String, portGroup: String) async throws {
        try await attach(id, [NIC(endpoint: endpoint, interface: interface, portGroup: portGroup)])
    }

    /// Adds `nics` and, when given, the default route: one batch in the host namespace (the
    /// veth pairs, created with the container end already in its namespace and its MAC), one in
    /// the container's (loopback and NICs up, static addresses, the route). Dynamic endpoints
    /// get no address here. An IPv6 address is added too, but no IPv6 route: the appliance
    /// does not forward IPv6, so IPv6 reaches the network's members and its gateway only, and
    /// a program that tries an address elsewhere fails at once and falls back to IPv4.
    public func attach(_ id: String, _ nics: [NIC], defaultRoute: (gateway: IPv4Address, interface: String)? = nil) async throws {
        let (host, container) = changes(id, nics, defaultRoute: defaultRoute)
        try await links.apply(host, in: hostNamespace)
        try await links.apply(container, in: namespace(for: id))
    }

    /// The two batches of `attach`: host namespace first, then the container's. Pure.
    public func changes(_ id: String, _ nics: [NIC], defaultRoute: (gateway: IPv4Address, interface: String)?)
        -> (host: [LinkChange], container: [LinkChange]) {
        var host: [LinkChange] = []
        var container: [LinkChange] = [.setUp("lo")]
        for nic in nics {
            let hostLink = hostLink(for: id, network: nic.endpoint.networkID)
            // A leftover of a run whose namespace is still being torn down by the kernel.
            host.append(.deleteLink(hostLink))
            host.append(.createVethPair(hostName: hostLink, bridge: nic.portGroup, peerName: nic.interface,
                                        peerNamespace: namespace(for: id), peerMAC: nic.endpoint.macAddress))
            container.append(.setUp(nic.interface))
            if !nic.endpoint.isDynamic { container.append(.addAddress(nic.endpoint.address, link: nic.interface)) }
            if let address6 = nic.endpoint.address6 { container.append(.addAddress6(address6, link: nic.interface)) }
        }
        if let defaultRoute {
            container.append(.replaceRoute(to: nil, via: defaultRoute.gateway, device: defaultRoute.interface))
        }
        return (host, container)
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

    /// Removes the namespace and every NIC in it (`networkIDs`: the container's networks); what
    /// is already gone is not an error. The host ends go first, in one batch, because the kernel
    /// destroys the links of a deleted namespace only later, and a restart reuses their names.
    /// A namespace that is gone took its NICs with it: nothing to do, no process.
    public func detach(_ id: String, networkIDs: [String] = []) async throws {
        guard try await links.namespaceExists(namespace(for: id)) else { return }
        let hostLinks = [hostLink(for: id)] + networkIDs.map { hostLink(for: id, network: $0) }
        try await links.apply(hostLinks.map { .deleteLink($0) }, in: hostNamespace)
        try await links.deleteNamespace(namespace(for: id))
    }

    /// For a container that stopped: deletes only its namespace, in-process. The kernel then
    /// destroys the namespace's NICs, and with them their host ends, on its own time, so the
    /// caller does not wait for the slow veth deletion; a restart deletes a host end that is
    /// still there before it reuses the name (`changes`). What is already gone is not an error.
    public func discardNamespace(_ id: String) async throws {
        guard try await links.namespaceExists(namespace(for: id)) else { return }
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
