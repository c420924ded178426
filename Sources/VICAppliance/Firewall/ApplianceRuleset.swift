import VICConfig
import VICCore
import VICPortLayer

/// The appliance's nftables ruleset, rendered from the configuration and the port layer's
/// `FirewallState`. Pure: the same inputs give the same text, so it is tested against golden
/// rulesets. The text is one atomic batch that replaces the `inet vic` table whole.
///
/// - prerouting (dnat): published ports are DNATed on the public NIC only, and, for hairpin and
///   for other bridge networks, from the bridge interfaces when addressed to the public IP; the
///   ports are the elements of one map (`published4`), so publishing or unpublishing changes
///   elements, not rules (see `elementChanges`);
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

    /// The map of published ports: public address . protocol . host port to container address
    /// . container port.
    static let publishedMap = "published4"

    /// The nft batch: creates then deletes `inet vic` (so the delete never fails) and declares it
    /// anew with its map and four chains. Deterministic: rules and elements are sorted.
    /// `withElements: false` leaves the map empty: two states whose renders agree that way
    /// differ only in published ports.
    public func render(withElements: Bool = true) -> String {
        var lines = ["table inet vic", "delete table inet vic", "table inet vic {"]
        lines += ["  map \(Self.publishedMap) {", "    type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service"]
        let elements = withElements ? publishedElements : []
        if !elements.isEmpty { lines.append("    elements = { " + elements.joined(separator: ", ") + " }") }
        lines.append("  }")
        lines += chain("prerouting", "type nat hook prerouting priority dstnat; policy accept;", prerouting())
        lines += chain("input", "type filter hook input priority filter; policy drop;", input())
        lines += chain("forward", "type filter hook forward priority filter; policy drop;", forward())
        lines += chain("postrouting", "type nat hook postrouting priority srcnat; policy accept;", postrouting())
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The published ports as map elements, sorted: "10.0.0.5 . tcp . 8080 : 172.16.0.2 . 80".
    public var publishedElements: [String] {
        state.mappings.map { mapping in
            let port = mapping.published
            return "\(port.hostIP) . \(port.transport.rawValue) . \(port.hostPort) : \(mapping.containerAddress) . \(port.containerPort)"
        }.sorted()
    }

    /// The nft batch that turns the published ports `old` into `new` (elements as
    /// `publishedElements` gives them) in the loaded table, deletions first, so a host port can
    /// move to another container in one batch; nil when they are the same.
    public static func elementChanges(from old: [String], to new: [String]) -> String? {
        let removed = Set(old).subtracting(new).sorted()
        let added = Set(new).subtracting(old).sorted()
        var lines: [String] = []
        if !removed.isEmpty { lines.append("delete element inet vic \(publishedMap) { " + removed.joined(separator: ", ") + " }") }
        if !added.isEmpty { lines.append("add element inet vic \(publishedMap) { " + added.joined(separator: ", ") + " }") }
        return lines.isEmpty ? nil : lines.joined(separator: "\n") + "\n"
    }

    func chain(_ name: String, _ hook: String, _ rules: [String]) -> [String] {
        ["  chain \(name) {", "    \(hook)"] + rules.map { "    " + $0 } + ["  }"]
    }

    func prerouting() -> [String] {
        let lookup = "dnat ip to ip daddr . meta l4proto . th dport map @\(Self.publishedMap)"
        return ["iifname \"\(publicNIC)\" \(lookup)", "iifname \(bridgeInterfaces) \(lookup)"]
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
