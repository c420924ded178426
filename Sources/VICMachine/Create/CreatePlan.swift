import VICConfig
import VICCore
import VICPlumbing

/// What the host looks like to validation: its links, and the VCHs and namespaces that exist.
public struct HostSnapshot: Sendable {
    /// Every link of the host's network namespace, with its kind and alias.
    public var links: [LinkInfo]
    /// Names of VCHs that already have state on this host.
    public var existingVCHs: Set<String>
    /// Named network namespaces already under /run/netns.
    public var existingNamespaces: Set<String>
    /// IPv4 resolvers from the host's /etc/resolv.conf (for the embedded default).
    public var hostResolvers: [IPv4Address]

    /// A snapshot as given; tests build one by hand.
    public init(
        links: [LinkInfo], existingVCHs: Set<String> = [], existingNamespaces: Set<String> = [],
        hostResolvers: [IPv4Address] = []
    ) {
        self.links = links
        self.existingVCHs = existingVCHs
        self.existingNamespaces = existingNamespaces
        self.hostResolvers = hostResolvers
    }
}

/// A port group vic-machine must create because it does not exist: a bridge with no uplink.
public struct PortGroupToCreate: Sendable, Equatable {
    /// The kernel interface name (at most 15 characters).
    public var linkName: String
    /// The name the user knows it by, set as the interface alias.
    public var alias: String
    /// For the host-only port group of the embedded default: the host's own address on it.
    public var hostAddress: IPv4Interface?
}

/// The validated decision of `vic-machine create`: everything needed to build the appliance,
/// computed before any host change.
public struct CreatePlan: Sendable, Equatable {
    /// The VCH's name.
    public var name: String
    /// The appliance namespace to create, `vch-<name>`.
    public var namespace: String
    /// One NIC per distinct port group, in role order, without live addresses yet.
    public var nics: [ApplianceNIC]
    /// `Network role "client" is sharing NIC with "public"` lines, in role order.
    public var sharingLines: [String]
    /// The bridge port group and range.
    public var bridge: BridgeNetwork
    /// Port groups to create: the bridge network when missing, and the host-only network.
    public var portGroupsToCreate: [PortGroupToCreate]
    /// The validated container networks.
    public var containerNetworks: [ContainerNetwork]
    /// The VCH's resolvers, at most three: `--dns-server`, else defaults when every NIC is static; empty leaves them to DHCP.
    public var dnsServers: [IPv4Address]
    /// False with `--no-tls`.
    public var tlsEnabled: Bool
    /// Absolute paths of the `--tls-ca` files.
    public var tlsCAFiles: [String]
    /// The name put in the server certificate besides the client IP.
    public var tlsCommonName: String
    /// The absolute certificate directory; nil without TLS.
    public var certificateDirectory: String?
    /// `--image-store`; nil means the VCH's state directory.
    public var imageStore: String?
    /// `--registry-mirror` URLs.
    public var registryMirrors: [String]
    /// `--insecure-registry` hosts.
    public var insecureRegistries: [String]
    /// The OCI runtime the user chose, if any.
    public var containerRuntime: String? = nil
    /// `--volume-store`s, validated: absolute paths and unique labels.
    public var volumeStores: [VolumeStoreLocation] = []
    /// True when the host had no "VM Network" and vic made a host-only one.
    public var embeddedDefault: Bool
}
