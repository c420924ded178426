import Foundation
import VICConfig
import VICCore

/// A Docker network as the port layer sees it: a bridge scope on the bridge port group, or an
/// external scope (a container network) on its own port group.
public struct NetworkScope: Sendable, Equatable {
    public enum Driver: String, Sendable { case bridge, external }

    public var name: String
    public var id: String
    public var driver: Driver
    public var portGroup: String
    public var subnet: IPv4Network?
    public var gateway: IPv4Address?
    public var ranges: [IPv4Range]
    public var dnsServers: [IPv4Address]
    public var builtin: Bool
    public var `internal`: Bool
    public var labels: [String: String]
    public var created: Date
    public var pool: AddressPool?

    /// The built-in scopes of a VCH: `bridge` (the first /width of the range, gateway .1) and one
    /// external scope per container network.
    public static func builtins(of configuration: VCHConfiguration) -> [NetworkScope] {
        var scopes: [NetworkScope] = []
        if let subnet = configuration.bridge.defaultSubnet, let gateway = subnet.first.advanced(by: 1) {
            scopes.append(NetworkScope(
                name: "bridge", id: configuration.networkIDs["bridge"] ?? Identifier.random(), driver: .bridge,
                portGroup: configuration.bridge.portGroup, subnet: subnet, gateway: gateway, ranges: [],
                dnsServers: [gateway], builtin: true, internal: false, labels: [:], created: configuration.created,
                pool: AddressPool(subnet: subnet, excluded: [gateway])))
        }
        for network in configuration.containerNetworks {
            let gateway = network.gateway?.address
            scopes.append(NetworkScope(
                name: network.name, id: configuration.networkIDs[network.name] ?? Identifier.random(),
                driver: .external, portGroup: network.portGroup, subnet: network.subnet, gateway: gateway,
                ranges: network.ranges, dnsServers: network.dnsServers, builtin: true, internal: false,
                labels: [:], created: configuration.created,
                pool: network.subnet.map {
                    AddressPool(subnet: $0, ranges: network.ranges, excluded: [gateway].compactMap { $0 } + network.dnsServers)
                }))
        }
        return scopes
    }

    /// The bridge gateway address with its prefix, as it sits on the appliance's bridge NIC.
    public var gatewayInterface: IPv4Interface? {
        guard let gateway, let subnet else { return nil }
        return IPv4Interface(address: gateway, prefixLength: subnet.prefixLength)
    }
}
