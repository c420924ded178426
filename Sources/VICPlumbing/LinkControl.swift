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

    /// Creates a bridge with no uplinks and brings it up.
    func createBridge(named name: String, alias: String?) async throws
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
    /// Removes an address; one that is already gone is not an error.
    func removeAddress(_ address: IPv4Interface, from link: String, in namespace: String?) async throws
    /// Adds or replaces a route: `destination` nil is the default route.
    func replaceRoute(
        to destination: IPv4Network?, via gateway: IPv4Address, device: String, in namespace: String?
    ) async throws

    func namespaceExists(_ name: String) async throws -> Bool
    /// Creates a named network namespace under /run/netns with its loopback up.
    func createNamespace(_ name: String) async throws
    /// Deletes a named namespace; one that is already gone is not an error.
    func deleteNamespace(_ name: String) async throws
}

extension LinkControl {
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
