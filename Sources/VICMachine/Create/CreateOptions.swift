/// The raw network and security flags of `vic-machine create`, exactly as the user typed them.
/// Pure data: `CreateValidator` turns it into a `CreatePlan` or a list of problems.
public struct CreateOptions: Sendable, Equatable {
    /// `--name`: the VCH's name.
    public var name = "virtual-container-host"
    /// `--bridge-network` (`-b`): the bridge port group; nil uses (or creates) one named after the VCH.
    public var bridgeNetwork: String?
    /// `--bridge-network-range`: the CIDR bridge networks are cut from; nil is 172.16.0.0/12.
    public var bridgeNetworkRange: String?
    /// `--bridge-network-width`: each bridge network's prefix length; nil is 16.
    public var bridgeNetworkWidth: String?
    /// `--public-network`, or its older name `--external-network`.
    public var publicNetwork: String?
    /// `--client-network`: the port group the Docker API is served on; nil shares the public one.
    public var clientNetwork: String?
    /// `--management-network`; nil shares the public one.
    public var managementNetwork: String?
    /// `--public-network-ip`: a static CIDR address; nil uses DHCP.
    public var publicNetworkIP: String?
    /// `--public-network-gateway`: `[CIDR,…:]GW`.
    public var publicNetworkGateway: String?
    /// `--client-network-ip`: a static CIDR address; nil uses DHCP.
    public var clientNetworkIP: String?
    /// `--client-network-gateway`: `[CIDR,…:]GW`.
    public var clientNetworkGateway: String?
    /// `--management-network-ip`: a static CIDR address; nil uses DHCP.
    public var managementNetworkIP: String?
    /// `--management-network-gateway`: `[CIDR,…:]GW`.
    public var managementNetworkGateway: String?
    /// `--dns-server`, repeatable; at most three are kept.
    public var dnsServers: [String] = []
    /// `--container-network PG[:ALIAS]`, repeatable.
    public var containerNetworks: [String] = []
    /// `--container-network-gateway PG:CIDR`, repeatable.
    public var containerNetworkGateways: [String] = []
    /// `--container-network-ip-range PG:RANGE`, repeatable.
    public var containerNetworkIPRanges: [String] = []
    /// `--container-network-dns PG:IP`, repeatable.
    public var containerNetworkDNS: [String] = []
    /// `--container-network-firewall PG:LEVEL`, repeatable.
    public var containerNetworkFirewalls: [String] = []
    /// `--image-store`: an absolute directory; nil is the VCH's state directory.
    public var imageStore: String?
    /// `--registry-mirror`, repeatable.
    public var registryMirrors: [String] = []
    /// `--insecure-registry`, repeatable.
    public var insecureRegistries: [String] = []
    /// `--container-runtime crun|runc`; nil: vchd chooses by the host's cgroup layout.
    public var containerRuntime: String?
    /// `--volume-store DIR:LABEL` (repeatable).
    public var volumeStores: [String] = []
    /// `--no-tls`: serve plain HTTP on 2375.
    public var noTLS = false
    /// `--tls-ca`, repeatable: CA files that client certificates must chain to.
    public var tlsCAFiles: [String] = []
    /// `--tls-cname`: the server certificate's name; nil uses `name`.
    public var tlsCommonName: String?
    /// `--tls-cert-path`: the certificate directory; nil is `./<name>`.
    public var tlsCertPath: String?
    /// The subnet of the host-only port group made when the host has no "VM Network".
    public var hostOnlyNetwork: String?
    /// Flags accepted for VIC compatibility that mean nothing on Linux, as "--flag value".
    public var ignoredVSphereFlags: [String] = []
    /// `--target`: empty or local means this host.
    public var target: String?

    /// Every flag at its default, as when none is given.
    public init() {}

    /// Whether the user named any of the VCH's own networks or addresses.
    var namesApplianceNetworks: Bool {
        [publicNetwork, clientNetwork, managementNetwork, publicNetworkIP, clientNetworkIP,
         managementNetworkIP, publicNetworkGateway, clientNetworkGateway, managementNetworkGateway]
            .contains { $0 != nil }
    }
}
