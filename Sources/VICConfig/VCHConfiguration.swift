import Foundation
import VICCore

/// The whole configuration of one VCH: what `vic-machine create` decided and `vchd` serves.
///
/// Invariants: every value round-trips through `ConfigurationStore` unchanged (no lossy types:
/// addresses, networks and ranges encode as their canonical text); `version` names the schema.
public struct VCHConfiguration: Codable, Sendable, Equatable {
    /// The schema version this build writes; older files are migrated on load, newer refused.
    public static let currentVersion = 1

    /// The schema version the file was written with; `currentVersion` for new configurations.
    public var version: Int
    /// The VCH's name (`--name`); keys its state and run directories and its namespace names.
    public var name: String
    /// 64-hex identifier of the VCH.
    public var id: String
    /// When `vic-machine create` built the VCH.
    public var created: Date
    /// The appliance's network namespace, `vch-<name>`.
    public var namespace: String
    /// A name under /run/netns for the host's network namespace (where the port groups are),
    /// `vch-<name>-host`, so vchd can attach container NICs to port groups.
    public var hostNamespace: String
    /// One per distinct port group, in role order (public, client, management, bridge).
    public var nics: [ApplianceNIC]
    /// The bridge port group and the range bridge networks are cut from.
    public var bridge: BridgeNetwork
    /// The `--container-network` port groups offered to containers as external networks.
    public var containerNetworks: [ContainerNetwork]
    /// The VCH's own resolvers (`--dns-server`, else from DHCP), at most three.
    public var dnsServers: [IPv4Address]
    /// How the Docker API is secured.
    public var tls: TLSSettings
    /// The absolute directory of the image content store (`--image-store`, else `<state>/<name>/images`).
    public var imageStore: String
    /// `--registry-mirror` base URLs, tried before Docker Hub when pulling.
    public var registryMirrors: [String]
    /// `--insecure-registry` hosts that may be reached over plain HTTP or unverified TLS.
    public var insecureRegistries: [String]
    /// Docker network name → stable 64-hex ID, for the built-in networks.
    public var networkIDs: [String: String]
    /// `--container-runtime`: crun or runc; nil lets vchd choose by the cgroup layout.
    public var containerRuntime: String?
    /// `--volume-store`: where volumes live, by label. Nil (configurations written before vic
    /// had volumes) and empty both mean none: volumes are then refused.
    public var volumeStores: [VolumeStoreLocation]?

    /// Assembles a configuration at `currentVersion`; no validation is done here (`vic-machine`
    /// validates options before building one). `containerRuntime` starts nil.
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

    /// Describes one appliance NIC; `address` and `dhcpRouters` are filled in once it is up.
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

    /// Whether the NIC has no static address and so gets (and renews) one by DHCP.
    public var usesDHCP: Bool { staticAddress == nil }
}

/// `--<role>-network-gateway [CIDR,CIDR…:]GW`: a gateway and the destinations routed through it
/// (none = the default route, for the public network).
public struct GatewaySpec: Codable, Sendable, Equatable {
    /// The networks routed through `address`; empty means the default route.
    public var destinations: [IPv4Network]
    /// The gateway's address, on the NIC's subnet.
    public var address: IPv4Address

    /// Pairs a gateway with the destinations routed through it (empty: default route).
    public init(destinations: [IPv4Network], address: IPv4Address) {
        self.destinations = destinations
        self.address = address
    }
}

/// The bridge port group and the pool its bridge networks are cut from.
public struct BridgeNetwork: Codable, Sendable, Equatable {
    /// The bridge port group's link name in the host namespace.
    public var portGroup: String
    /// `--bridge-network-range`, 172.16.0.0/12 by default.
    public var range: IPv4Network
    /// `--bridge-network-width`, the prefix length of each bridge network, 16 by default.
    public var width: Int

    /// Describes the bridge port group; `width` must be at least `range`'s prefix length for
    /// `defaultSubnet` to exist.
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
    /// `--container-network-ip-range`: the addresses handed to containers; empty means the whole subnet.
    public var ranges: [IPv4Range]
    /// `--container-network-dns`: resolvers given to containers on this network.
    public var dnsServers: [IPv4Address]
    /// `--container-network-firewall`: what traffic the container's packet filter admits.
    public var trust: TrustLevel

    /// Describes one container network as validated by `vic-machine create`.
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

    /// The subnet given by the gateway's prefix; nil when the network uses DHCP.
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

    /// Describes the API's TLS set-up; nothing is read from `certificateDirectory` here.
    public init(enabled: Bool, certificateDirectory: String?, clientCAFiles: [String], generatedCertificates: Bool) {
        self.enabled = enabled
        self.certificateDirectory = certificateDirectory
        self.clientCAFiles = clientCAFiles
        self.generatedCertificates = generatedCertificates
    }

    /// Whether clients must present a certificate (TLS on and `--tls-ca` given).
    public var verifiesClients: Bool { enabled && !clientCAFiles.isEmpty }
}

/// One `--volume-store DIR:LABEL`: a host directory holding the VCH's volumes, each in
/// `DIR/volumes/<name>`. The store labelled `default` takes `docker volume create` without a
/// `VolumeStore` option, named volumes created by `docker run -v`, and anonymous volumes.
public struct VolumeStoreLocation: Codable, Sendable, Equatable {
    /// The label `docker volume create --opt VolumeStore=LABEL` names.
    public var label: String
    /// An absolute directory on the host.
    public var path: String

    /// A store; `vic-machine create` validates both before building one.
    public init(label: String, path: String) {
        self.label = label
        self.path = path
    }

    /// The label of the store used when none is named.
    public static let defaultLabel = "default"
}
