import VICCore

/// A network interface as the kernel reports it.
public struct LinkInfo: Sendable, Hashable {
    public var index: Int
    public var name: String
    /// The interface alias (`ip link set dev X alias "VM Network"`), which vic reads as a
    /// port-group name.
    public var alias: String?
    /// The rtnetlink kind: "bridge", "veth", "vlan"…; nil for physical and loopback devices.
    public var kind: String?
    /// The bridge this link is enslaved to, by name.
    public var master: String?
    public var isUp: Bool
    public var macAddress: String?
    public var addresses: [IPv4Interface]

    public init(
        index: Int, name: String, alias: String? = nil, kind: String? = nil, master: String? = nil,
        isUp: Bool = true, macAddress: String? = nil, addresses: [IPv4Interface] = []
    ) {
        self.index = index
        self.name = name
        self.alias = alias
        self.kind = kind
        self.master = master
        self.isUp = isUp
        self.macAddress = macAddress
        self.addresses = addresses
    }

    public var isBridge: Bool { kind == "bridge" }
}

/// The seam between vic and the kernel's network configuration. Every method names the network
/// namespace it acts in: nil is the caller's own namespace (the VCH's "host"), otherwise the name
/// of a namespace under /run/netns.
///
/// Privilege: CAP_NET_ADMIN (and CAP_SYS_ADMIN for namespaces). Mutations are idempotent where
/// the method says so, so that a teardown can be replayed.
public protocol LinkControl: Sendable {
    /// Every link in `namespace`, looked up through netlink (never /sys, which may show another
    /// namespace when running under `nsenter --net`).
    func links(in namespace: String?) async throws -> [LinkInfo]

    /// Creates a bridge with no uplinks in `namespace` (nil: the caller's) and brings it up.
    func createBridge(named name: String, alias: String?, in namespace: String?) async throws
    /// Creates a veth pair whose `hostName` end is in `namespace` (nil: the caller's) and whose
    /// `peerName` end is created directly inside `peerNamespace`.
    func createVethPair(hostName: String, in namespace: String?, peerName: String, peerNamespace: String) async throws
    /// Enslaves `link` to `bridge`, both in `namespace`.
    func attach(link: String, toBridge bridge: String, in namespace: String?) async throws
    func setMACAddress(_ address: String, of link: String, in namespace: String?) async throws
    /// Gives the running process `pid`'s network namespace a name under /run/netns (a bind
    /// mount, removed by `deleteNamespace` without affecting the namespace itself).
    func nameNamespace(_ name: String, ofProcess pid: Int32) async throws
    func setUp(link: String, in namespace: String?) async throws
    /// Deletes a link; a link that is already gone is not an error.
    func deleteLink(named name: String, in namespace: String?) async throws

    /// Adds (or replaces) an address on `link`.
    func addAddress(_ address: IPv4Interface, to link: String, in namespace: String?) async throws
    /// Adds (or replaces) an IPv6 address on `link`, usable at once (no duplicate address
    /// detection: IPAM hands out each address once).
    func addAddress6(_ address: IPv6Interface, to link: String, in namespace: String?) async throws
    /// Removes an address; one that is already gone is not an error.
    func removeAddress(_ address: IPv4Interface, from link: String, in namespace: String?) async throws
    /// Adds or replaces a route: `destination` nil is the default route.
    func replaceRoute(
        to destination: IPv4Network?, via gateway: IPv4Address, device: String, in namespace: String?
    ) async throws

    /// Removes the default route, or the route to `destination`; a missing route is not an error.
    func deleteRoute(to destination: IPv4Network?, in namespace: String?) async throws

    /// Turns VLAN filtering on (or off) for `bridge`. With it on, every port keeps VLAN 1 as
    /// its untagged PVID until told otherwise, so untagged traffic flows as before. Idempotent.
    func setVLANFiltering(_ enabled: Bool, bridge: String, in namespace: String?) async throws
    /// Lets VLAN `vid` through the bridge port `link`: tagged, or as the port's untagged PVID
    /// (`pvid untagged`). `onBridgeItself` (`self`) acts on the bridge device rather than a
    /// port. Idempotent.
    func addBridgeVLAN(_ vid: Int, to link: String, untaggedPVID: Bool, onBridgeItself: Bool, in namespace: String?) async throws
    /// Removes VLAN `vid` from the bridge port `link`; a VLAN that is not there is not an error.
    func removeBridgeVLAN(_ vid: Int, from link: String, in namespace: String?) async throws
    /// Creates the 802.1Q sub-interface `name` of `parent` for VLAN `vid` and brings it up.
    /// Idempotent: an existing link of that name is kept.
    func createVLANLink(named name: String, parent: String, vid: Int, in namespace: String?) async throws

    /// Applies `changes` in `namespace` (nil: the caller's) as one batch, in order. Deleting
    /// what is already gone counts as done; the first real failure is thrown, naming its change.
    /// Implementations may stop at that failure or attempt the rest first.
    func apply(_ changes: [LinkChange], in namespace: String?) async throws

    func namespaceExists(_ name: String) async throws -> Bool
    /// Creates a named network namespace under /run/netns with its loopback up.
    func createNamespace(_ name: String) async throws
    /// Creates a named network namespace under /run/netns; with `loopbackUp` false its loopback
    /// stays down, for a batch that follows to bring it up with the rest.
    func createNamespace(_ name: String, loopbackUp: Bool) async throws
    /// Deletes a named namespace; one that is already gone is not an error.
    func deleteNamespace(_ name: String) async throws
}

extension LinkControl {
    public func apply(_ changes: [LinkChange], in namespace: String?) async throws {
        try await applyOneByOne(changes, in: namespace)
    }

    public func createNamespace(_ name: String, loopbackUp: Bool) async throws {
        try await createNamespace(name)
    }

    /// Creates a bridge with no uplinks in the caller's namespace and brings it up.
    public func createBridge(named name: String, alias: String?) async throws {
        try await createBridge(named: name, alias: alias, in: nil)
    }

    public func createVethPair(hostName: String, peerName: String, peerNamespace: String) async throws {
        try await createVethPair(hostName: hostName, in: nil, peerName: peerName, peerNamespace: peerNamespace)
    }

    public func attach(link: String, toBridge bridge: String) async throws {
        try await attach(link: link, toBridge: bridge, in: nil)
    }

    /// The bridge whose name or alias is `portGroup`, or nil.
    /// Errors when two different bridges answer to the same name ("ambiguous network").
    public func findBridge(_ portGroup: String, in namespace: String? = nil) async throws -> LinkInfo? {
        let matches = try await links(in: namespace).filter {
            $0.isBridge && ($0.name == portGroup || $0.alias == portGroup)
        }
        guard matches.count <= 1 else {
            throw VICError(.conflict, "ambiguous network \(portGroup)")
        }
        return matches.first
    }
}
