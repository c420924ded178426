/// The raw network and security flags of `vic-machine create`, exactly as the user typed them.
/// Pure data: `CreateValidator` turns it into a `CreatePlan` or a list of problems.
public struct CreateOptions: Sendable, Equatable {
    public var name = "virtual-container-host"
    public var bridgeNetwork: String?
    public var bridgeNetworkRange: String?
    public var bridgeNetworkWidth: String?
    /// `--public-network`, or its older name `--external-network`.
    public var publicNetwork: String?
    public var clientNetwork: String?
    public var managementNetwork: String?
    public var publicNetworkIP: String?
    public var publicNetworkGateway: String?
    public var clientNetworkIP: String?
    public var clientNetworkGateway: String?
    public var managementNetworkIP: String?
    public var managementNetworkGateway: String?
    public var dnsServers: [String] = []
    public var containerNetworks: [String] = []
    public var containerNetworkGateways: [String] = []
    public var containerNetworkIPRanges: [String] = []
    public var containerNetworkDNS: [String] = []
    public var containerNetworkFirewalls: [String] = []
    public var imageStore: String?
    public var registryMirrors: [String] = []
    public var insecureRegistries: [String] = []
    /// `--container-runtime crun|runc`; nil: vchd chooses by the host's cgroup layout.
    public var containerRuntime: String?
    public var noTLS = false
    public var tlsCAFiles: [String] = []
    public var tlsCommonName: String?
    public var tlsCertPath: String?
    /// The subnet of the host-only port group made when the host has no "VM Network".
    public var hostOnlyNetwork: String?
    /// Flags accepted for VIC compatibility that mean nothing on Linux, as "--flag value".
    public var ignoredVSphereFlags: [String] = []
    /// `--target`: empty or local means this host.
    public var target: String?

    public init() {}

    /// Whether the user named any of the VCH's own networks or addresses.
    var namesApplianceNetworks: Bool {
        [publicNetwork, clientNetwork, managementNetwork, publicNetworkIP, clientNetworkIP,
         managementNetworkIP, publicNetworkGateway, clientNetworkGateway, managementNetworkGateway]
            .contains { $0 != nil }
    }
}
