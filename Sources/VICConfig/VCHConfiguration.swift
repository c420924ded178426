import Foundation
import VICCore

/// The whole configuration of one VCH: what `vic-machine create` decided and `vchd` serves.
///
/// Invariants: every value round-trips through `ConfigurationStore` unchanged (no lossy types:
/// addresses, networks and ranges encode as their canonical text); `version` names the schema.
public struct VCHConfiguration: Codable, Sendable, Equatable {
    /// The schema version this build writes; older files are migrated on load, newer refused.
    public static let currentVersion = 1

    public var version: Int
    public var name: String
    /// 64-hex identifier of the VCH.
    public var id: String
    public var created: Date
    /// The appliance's network namespace, `vch-<name>`.
    public var namespace: String
    /// A name under /run/netns for the host's network namespace (where the port groups are),
    /// `vch-<name>-host`, so vchd can attach container NICs to port groups.
    public var hostNamespace: String
    /// One per distinct port group, in role order (public, client, management, bridge).
    public var nics: [ApplianceNIC]
    public var bridge: BridgeNetwork
    public var containerNetworks: [ContainerNetwork]
    /// The VCH's own resolvers (`--dns-server`, else from DHCP), at most three.
    public var dnsServers: [IPv4Address]
    public var tls: TLSSettings
    public var imageStore: String
    public var registryMirrors: [String]
    public var insecureRegistries: [String]
    /// Docker network name → stable 64-hex ID, for the built-in networks.
    public var networkIDs: [String: String]
    /// `--container-runtime`: crun or runc; nil lets vchd choose by the cgroup layout.
    public var containerRuntime: String?

    public init(
        name: String, id: String, created: Date, namespace: String, hostNamespace: String, nics: [ApplianceNIC],
        bridge: BridgeNetwork, containerNetworks: [ContainerNetwork], dnsServers: [IPv4Address],
        tls: TLSSettings, imageStore: String, registryMirrors: [String], insecureRegistries: [String],
        networkIDs: [String: String]
    ) {
        self.version = VCHConfiguration.currentVersion
        self.name = name
        self.id = id
        self.created = created
        self.namespace = namespace
        self.hostNamespace = hostNamespace
        self.nics = nics
        self.bridge = bridge
        self.containerNetworks = containerNetworks
        self.dnsServers = dnsServers
        self.tls = tls
        self.imageStore = imageStore
        self.registryMirrors = registryMirrors
        self.insecureRegistries = insecureRegistries
        self.networkIDs = networkIDs
    }

    /// The NIC that carries `role`.
    public func nic(for role: NetworkRole) -> ApplianceNIC? { nics.first { $0.roles.contains(role) } }

    /// The Docker API port: 2376 with TLS, 2375 without.
    public var apiPort: Int { tls.enabled ? 2376 : 2375 }
}

/// One veth NIC of the appliance.
public struct ApplianceNIC: Codable, Sendable, Equatable {
    /// The interface name inside the appliance: its first role ("public", "client", …).
    public var name: String
    /// Every role on this NIC, first one first.
    public var roles: [NetworkRole]
    /// The port group (bridge) name in the host namespace, as the kernel names it.
    public var portGroup: String
    /// The veth end left in the host namespace, enslaved to `portGroup`.
    public var hostLink: String
    /// The static address, or nil for DHCP.
    public var staticAddress: IPv4Interface?
    /// The gateway given with `--<role>-network-gateway`, with its routing destinations.
    public var gateway: GatewaySpec?
    /// The address in use: the static one, or the last DHCP lease.
    public var address: IPv4Interface?
    /// The gateways learnt from DHCP, when dynamic.
    public var dhcpRouters: [IPv4Address]

    public init(
        name: String, roles: [NetworkRole], portGroup: String, hostLink: String,
        staticAddress: IPv4Interface?, gateway: GatewaySpec?, address: IPv4Interface? = nil,
        dhcpRouters: [IPv4Address] = []
    ) {
        self.name = name
        self.roles = roles
        self.portGroup = portGroup
        self.hostLink = hostLink
        self.staticAddress = staticAddress
        self.gateway = gateway
        self.address = address
        self.dhcpRouters = dhcpRouters
    }

    public var usesDHCP: Bool { staticAddress == nil }
}

/// `--<role>-network-gateway [CIDR,CIDR…:]GW`: a gateway and the destinations routed through it
/// (none = the default route, for the public network).
public struct GatewaySpec: Codable, Sendable, Equatable {
    public var destinations: [IPv4Network]
    public var address: IPv4Address

    public init(destinations: [IPv4Network], address: IPv4Address) {
        self.destinations = destinations
        self.address = address
    }
}

/// The bridge port group and the pool its bridge networks are cut from.
public struct BridgeNetwork: Codable, Sendable, Equatable {
    public var portGroup: String
    /// `--bridge-network-range`, 172.16.0.0/12 by default.
    public var range: IPv4Network
    /// `--bridge-network-width`, the prefix length of each bridge network, 16 by default.
    public var width: Int

    public init(portGroup: String, range: IPv4Network, width: Int) {
        self.portGroup = portGroup
        self.range = range
        self.width = width
    }

    /// The default `bridge` network: the first /width block of the range.
    public var defaultSubnet: IPv4Network? { range.subnet(prefixLength: width, index: 0) }
}

/// `--container-network PG[:ALIAS]` with its sub-options.
public struct ContainerNetwork: Codable, Sendable, Equatable {
    /// The port group (bridge) name as the kernel names it.
    public var portGroup: String
    /// The Docker-visible name: the alias, else the port-group name as given.
    public var name: String
    /// The gateway as written; its prefix defines the subnet. Nil: DHCP.
    public var gateway: IPv4Interface?
    public var ranges: [IPv4Range]
    public var dnsServers: [IPv4Address]
    public var trust: TrustLevel

    public init(
        portGroup: String, name: String, gateway: IPv4Interface?, ranges: [IPv4Range],
        dnsServers: [IPv4Address], trust: TrustLevel
    ) {
        self.portGroup = portGroup
        self.name = name
        self.gateway = gateway
        self.ranges = ranges
        self.dnsServers = dnsServers
        self.trust = trust
    }

    public var subnet: IPv4Network? { gateway?.network }
}

/// The API's transport security.
public struct TLSSettings: Codable, Sendable, Equatable {
    /// False with `--no-tls`: plain HTTP on 2375.
    public var enabled: Bool
    /// Where the CA, server and client certificates are (`--tls-cert-path`).
    public var certificateDirectory: String?
    /// `--tls-ca`: clients must present a certificate signed by one of these.
    public var clientCAFiles: [String]
    /// Whether vic-machine generated the certificate directory (and so deletes it).
    public var generatedCertificates: Bool

    public init(enabled: Bool, certificateDirectory: String?, clientCAFiles: [String], generatedCertificates: Bool) {
        self.enabled = enabled
        self.certificateDirectory = certificateDirectory
        self.clientCAFiles = clientCAFiles
        self.generatedCertificates = generatedCertificates
    }

    public var verifiesClients: Bool { enabled && !clientCAFiles.isEmpty }
}
