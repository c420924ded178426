import Foundation
import VICConfig
import VICCore
import VICPlumbing
import VICPortLayer
import VICSystem

/// The appliance's own network set-up, done by vchd inside the appliance namespace at start:
/// bridge gateway addresses on the bridge NIC, forwarding, and NAT of bridge traffic out of the
/// public NIC. Everything here lives in the appliance namespace only; the host's firewall and
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

    /// One atomic nftables batch: the `vic` table replaced whole.
    public func ruleset() -> String {
        let range = configuration.bridge.range
        let publicNIC = configuration.nic(for: .public)?.name ?? NetworkRole.public.rawValue
        return """
            table ip vic
            delete table ip vic
            table ip vic {
              chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                ip saddr \(range) oifname "\(publicNIC)" masquerade
              }
            }

            """
    }
}
