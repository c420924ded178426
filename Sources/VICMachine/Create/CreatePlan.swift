import VICConfig
import VICCore
import VICPlumbing

/// What the host looks like to validation: its links, and the VCHs and namespaces that exist.
public struct HostSnapshot: Sendable {
    public var links: [LinkInfo]
    public var existingVCHs: Set<String>
    public var existingNamespaces: Set<String>
    /// IPv4 resolvers from the host's /etc/resolv.conf (for the embedded default).
    public var hostResolvers: [IPv4Address]

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
    public var name: String
    public var namespace: String
    public var nics: [ApplianceNIC]
    /// `Network role "client" is sharing NIC with "public"` lines, in role order.
    public var sharingLines: [String]
    public var bridge: BridgeNetwork
    /// Port groups to create: the bridge network when missing, and the host-only network.
    public var portGroupsToCreate: [PortGroupToCreate]
    public var containerNetworks: [ContainerNetwork]
    public var dnsServers: [IPv4Address]
    public var tlsEnabled: Bool
    public var tlsCAFiles: [String]
    /// The name put in the server certificate besides the client IP.
    public var tlsCommonName: String
    public var certificateDirectory: String?
    public var imageStore: String?
    public var registryMirrors: [String]
    public var insecureRegistries: [String]
    /// The OCI runtime the user chose, if any.
    public var containerRuntime: String? = nil
    /// True when the host had no "VM Network" and vic made a host-only one.
    public var embeddedDefault: Bool
}
