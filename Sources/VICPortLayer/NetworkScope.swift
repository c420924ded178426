import Foundation
import VICConfig
import VICCore

/// A Docker network as the port layer sees it: a bridge scope on the bridge port group, or an
/// external scope (a container network) on its own port group.
public struct NetworkScope: Sendable, Equatable {
    /// `bridge`: NATed behind the appliance; `external`: a container network on its own port group.
    public enum Driver: String, Sendable, Codable { case bridge, external }

    /// The Docker-visible name, unique among scopes.
    public var name: String
    /// The 64-hex network ID, stable across vchd restarts.
    public var id: String
    /// How members reach the world.
    public var driver: Driver
    /// The Linux bridge in the host namespace that members' veths are enslaved to.
    public var portGroup: String
    /// The members' subnet; nil for a DHCP container network.
    public var subnet: IPv4Network?
    /// The members' default gateway: the appliance for bridge scopes; nil when unknown (DHCP).
    public var gateway: IPv4Address?
    /// Where member addresses come from; empty means the whole subnet.
    public var ranges: [IPv4Range]
    /// The resolvers given to members; bridge scopes use the gateway (vchd's DNS server).
    public var dnsServers: [IPv4Address]
    /// Whether the VCH's configuration defines it (`bridge`, container networks); builtins cannot be removed.
    public var builtin: Bool
    /// `--internal`: the appliance neither forwards nor NATs its traffic to the public network.
    public var `internal`: Bool
    /// User labels from `docker network create --label`.
    public var labels: [String: String]
    /// Creation time: the VCH's for builtins, whole seconds for user networks.
    public var created: Date
    /// IPAM; nil for a container network without a gateway, whose containers use DHCP.
    public var pool: AddressPool?
    /// The number of a user bridge network (2, 3 …): the appliance's interface on it is
    /// `bridge.<n>`. Each such network has its own bridge (`portGroup`), which isolates it at
    /// L2. Nil for the default bridge (number 1, on the bridge port group) and external scopes.
    public var number: Int?
    /// `--container-network-firewall`: enforced inside each member's network namespace.
    /// Meaningful for external scopes only.
    public var trust: TrustLevel
    /// Driver options given at creation (`-o`); kept and shown, not interpreted.
    public var options: [String: String]
    /// `--ipv6`: the members' IPv6 subnet; nil for an IPv4-only network. Set with `gateway6`
    /// and `pool6`, on user bridge networks only.
    public var subnet6: IPv6Network?
    /// The appliance's IPv6 address on the network, inside `subnet6`.
    public var gateway6: IPv6Address?
    /// IPv6 IPAM; nil exactly when `subnet6` is.
    public var pool6: IPv6AddressPool?

    /// A scope as given; no pool or number consistency is checked here.
    public init(
        name: String, id: String, driver: Driver, portGroup: String, subnet: IPv4Network?, gateway: IPv4Address?,
        ranges: [IPv4Range] = [], dnsServers: [IPv4Address] = [], builtin: Bool, internal: Bool = false,
        labels: [String: String] = [:], created: Date, pool: AddressPool?, number: Int? = nil,
        trust: TrustLevel = .published, options: [String: String] = [:],
        subnet6: IPv6Network? = nil, gateway6: IPv6Address? = nil
    ) {
        self.name = name
        self.id = id
        self.driver = driver
        self.portGroup = portGroup
        self.subnet = subnet
        self.gateway = gateway
        self.ranges = ranges
        self.dnsServers = dnsServers
        self.builtin = builtin
        self.internal = `internal`
        self.labels = labels
        self.created = created
        self.pool = pool
        self.number = number
        self.trust = trust
        self.options = options
        self.subnet6 = subnet6
        self.gateway6 = gateway6
        pool6 = subnet6.map { IPv6AddressPool(subnet: $0, excluded: [gateway6].compactMap { $0 }) }
    }

    /// The built-in scopes of a VCH: `bridge` (the first /width of the range, gateway .1) and one
    /// external scope per container network.
    public static func builtins(of configuration: VCHConfiguration) -> [NetworkScope] {
        var scopes: [NetworkScope] = []
        if let subnet = configuration.bridge.defaultSubnet, let gateway = subnet.first.advanced(by: 1) {
            scopes.append(NetworkScope(
                name: "bridge", id: configuration.networkIDs["bridge"] ?? Identifier.random(), driver: .bridge,
                portGroup: configuration.bridge.portGroup, subnet: subnet, gateway: gateway,
                dnsServers: [gateway], builtin: true, created: configuration.created,
                pool: AddressPool(subnet: subnet, excluded: [gateway])))
        }
        for network in configuration.containerNetworks {
            let gateway = network.gateway?.address
            scopes.append(NetworkScope(
                name: network.name, id: configuration.networkIDs[network.name] ?? Identifier.random(),
                driver: .external, portGroup: network.portGroup, subnet: network.subnet, gateway: gateway,
                ranges: network.ranges, dnsServers: network.dnsServers, builtin: true,
                created: configuration.created,
                pool: network.subnet.map {
                    AddressPool(subnet: $0, ranges: network.ranges, excluded: [gateway].compactMap { $0 } + network.dnsServers)
                },
                trust: network.trust))
        }
        return scopes
    }

    /// The appliance's interface on this bridge scope: `bridge`, or `bridge.<number>`.
    public var applianceInterface: String { number.map { "bridge.\($0)" } ?? "bridge" }

    /// The bridge gateway address with its prefix, as it sits on the appliance's bridge NIC.
    public var gatewayInterface: IPv4Interface? {
        guard let gateway, let subnet else { return nil }
        return IPv4Interface(address: gateway, prefixLength: subnet.prefixLength)
    }

    /// The IPv6 gateway with its prefix, as it sits on the appliance's NIC; nil when the
    /// network has no IPv6.
    public var gatewayInterface6: IPv6Interface? {
        guard let gateway6, let subnet6 else { return nil }
        return IPv6Interface(address: gateway6, prefixLength: subnet6.prefixLength)
    }

    /// `docker network create --ipv6`: members get an IPv6 address too.
    public var enableIPv6: Bool { subnet6 != nil }

    /// Members get their address from the port group's own DHCP server (a container network
    /// with no gateway).
    public var usesDHCP: Bool { pool == nil }
}
