import VICConfig
import VICCore
import VICPortLayer

/// The appliance's nftables ruleset, rendered from the configuration and the port layer's
/// `FirewallState`. Pure: the same inputs give the same text, so it is tested against golden
/// rulesets. The text is one atomic batch that replaces the `inet vic` table whole.
///
/// - prerouting (dnat): published ports are DNATed on the public NIC only, and, for hairpin and
///   for other bridge networks, from the bridge interfaces when addressed to the public IP;
/// - input (drop): loopback, replies, the Docker API on the client NIC only, DNS on the bridge
///   interfaces only, DHCP replies and ping;
/// - forward (drop): replies; DNATed connections (published ports); bridge → public for
///   non-internal networks; everything else from a bridge is rejected, so bridge networks
///   cannot reach each other, the client or management networks;
/// - postrouting (srcnat): bridge traffic leaving the public NIC is masqueraded; hairpin
///   connections are masqueraded so that replies come back through the appliance.
public struct ApplianceRuleset: Sendable {
    /// Gives the NIC names, the public address and the API port.
    public let configuration: VCHConfiguration
    /// Gives the bridge scopes and the published ports.
    public let state: FirewallState

    /// The bridge interfaces, as an nft set literal: `{ "bridge", "bridge.5" }`. Every rule
    /// about bridges uses it, so it is rendered once (it names every user network).
    let bridgeInterfaces: String
    /// The subnets whose traffic is NATed out of the public NIC: non-internal bridge scopes.
    let natSubnets: [IPv4Network]

    /// Captures the inputs; rendering is pure.
    public init(configuration: VCHConfiguration, state: FirewallState) {
        self.configuration = configuration
        self.state = state
        let names = Set(state.bridgeScopes.map(\.applianceInterface) + [NetworkRole.bridge.rawValue]).sorted()
        bridgeInterfaces = "{ " + names.map { "\"\($0)\"" }.joined(separator: ", ") + " }"
        natSubnets = state.bridgeScopes.filter { !$0.internal }.compactMap(\.subnet).sorted { $0.description < $1.description }
    }

    var publicNIC: String { configuration.nic(for: .public)?.name ?? NetworkRole.public.rawValue }
    var clientNIC: String { configuration.nic(for: .client)?.name ?? NetworkRole.client.rawValue }

    /// The nft batch: creates then deletes `inet vic` (so the delete never fails) and declares it
    /// anew with its four chains. Deterministic: rules are sorted.
    public func render() -> String {
        var lines = ["table inet vic", "delete table inet vic", "table inet vic {"]
        lines += chain("prerouting", "type nat hook prerouting priority dstnat; policy accept;", prerouting())
        lines += chain("input", "type filter hook input priority filter; policy drop;", input())
        lines += chain("forward", "type filter hook forward priority filter; policy drop;", forward())
        lines += chain("postrouting", "type nat hook postrouting priority srcnat; policy accept;", postrouting())
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    func chain(_ name: String, _ hook: String, _ rules: [String]) -> [String] {
        ["  chain \(name) {", "    \(hook)"] + rules.map { "    " + $0 } + ["  }"]
    }

    func prerouting() -> [String] {
        let mappings = state.mappings.sorted {
            ($0.published.transport.rawValue, $0.published.hostPort) < ($1.published.transport.rawValue, $1.published.hostPort)
        }
        var rules: [String] = []
        for mapping in mappings {
            let port = mapping.published
            let target = "dnat ip to \(mapping.containerAddress):\(port.containerPort)"
            rules.append("iifname \"\(publicNIC)\" ip daddr \(port.hostIP) \(port.transport.rawValue) dport \(port.hostPort) \(target)")
            rules.append("iifname \(bridgeInterfaces) ip daddr \(port.hostIP) \(port.transport.rawValue) dport \(port.hostPort) \(target)")
        }
        return rules
    }

    func input() -> [String] {
        [
            "iif \"lo\" accept",
            "ct state established,related accept",
            "iifname \"\(clientNIC)\" tcp dport \(configuration.apiPort) accept",
            "iifname \(bridgeInterfaces) meta l4proto { tcp, udp } th dport 53 accept",
            "udp sport 67 udp dport 68 accept",
            "icmp type echo-request accept",
            "icmpv6 type { echo-request, nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept",
        ]
    }

    func forward() -> [String] {
        var rules = [
            "ct state established,related accept",
            "ct status dnat accept",
        ]
        for subnet in natSubnets {
            rules.append("iifname \(bridgeInterfaces) oifname \"\(publicNIC)\" ip saddr \(subnet) accept")
        }
        rules.append("iifname \(bridgeInterfaces) reject with icmpx admin-prohibited")
        return rules
    }

    func postrouting() -> [String] {
        var rules: [String] = []
        for subnet in natSubnets {
            rules.append("oifname \"\(publicNIC)\" ip saddr \(subnet) masquerade")
        }
        // Hairpin: a bridge container reaching a published port of another bridge container.
        // (iifname does not exist in postrouting; the source subnet tells the same.)
        let bridgeSubnets = state.bridgeScopes.compactMap(\.subnet).map(\.description).sorted()
        if !bridgeSubnets.isEmpty {
            let set = "{ " + bridgeSubnets.joined(separator: ", ") + " }"
            rules.append("oifname \(bridgeInterfaces) ct status dnat ip saddr \(set) masquerade")
        }
        return rules
    }
}
