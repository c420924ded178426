import Foundation
import VICConfig
import VICCore
import VICPlumbing
import VICPortLayer
import VICSystem

/// The appliance's own network set-up, done by vchd inside the appliance namespace at start:
/// bridge gateway addresses on the bridge NIC, forwarding, the appliance firewall and NAT of
/// bridge traffic out of the public NIC. Everything here lives in the appliance namespace only; the host's firewall and
/// forwarding settings are never touched. Idempotent.
public struct ApplianceNetwork: Sendable {
    public let links: any LinkControl
    public let configuration: VCHConfiguration

    public init(links: any LinkControl, configuration: VCHConfiguration) {
        self.links = links
        self.configuration = configuration
    }

    public func apply(scopes: [NetworkScope]) async throws {
        for scope in scopes where scope.driver == .bridge {
            if let gateway = scope.gatewayInterface {
                try await links.addAddress(gateway, to: NetworkRole.bridge.rawValue, in: nil)
            }
        }
        // /proc/sys/net is per network namespace: this is the appliance's switch only.
        try FileSystem.writeControl("/proc/sys/net/ipv4/ip_forward", "1\n")
        try await Command.check("/usr/sbin/nft", ["-f", "-"], stdin: ruleset())
    }

    /// One atomic nftables batch: the `vic` table replaced whole, built from the configuration.
    /// - input: drop, except loopback, replies, the Docker API on the client NIC, DNS on the
    ///   bridge NIC, DHCP replies and ping;
    /// - forward: drop, except replies and bridge → public (NATed); bridge → bridge, and bridge
    ///   → client or management, are refused;
    /// - postrouting: bridge traffic leaving the public NIC is masqueraded.
    public func ruleset() -> String {
        let range = configuration.bridge.range
        let publicNIC = configuration.nic(for: .public)?.name ?? NetworkRole.public.rawValue
        let clientNIC = configuration.nic(for: .client)?.name ?? NetworkRole.client.rawValue
        let bridgeNIC = NetworkRole.bridge.rawValue
        return """
            table inet vic
            delete table inet vic
            table inet vic {
              chain input {
                type filter hook input priority filter; policy drop;
                iif "lo" accept
                ct state established,related accept
                iifname "\(clientNIC)" tcp dport \(configuration.apiPort) accept
                iifname "\(bridgeNIC)" meta l4proto { tcp, udp } th dport 53 accept
                udp sport 67 udp dport 68 accept
                icmp type echo-request accept
                icmpv6 type { echo-request, nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept
              }
              chain forward {
                type filter hook forward priority filter; policy drop;
                ct state established,related accept
                iifname "\(bridgeNIC)" oifname "\(publicNIC)" ip saddr \(range) accept
                iifname "\(bridgeNIC)" reject with icmpx admin-prohibited
              }
              chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                ip saddr \(range) oifname "\(publicNIC)" masquerade
              }
            }

            """
    }
}
