import VICConfig
import VICPortLayer
import VICSystem

/// The appliance's `NetworkFirewall`: renders `ApplianceRuleset` and loads it with one
/// `nft -f -` batch, which replaces the `inet vic` table atomically. Calls are applied one at a
/// time in the order made, so the last state given is the one in force.
/// Privilege: CAP_NET_ADMIN, in the appliance namespace (vchd runs there).
public actor ApplianceFirewall: NetworkFirewall {
    let configuration: VCHConfiguration
    let nft: String
    private var tail: Task<Void, any Error>?

    /// A firewall for the VCH; `nft` is the nft binary's path. Nothing is loaded until `apply(_:)`.
    public init(configuration: VCHConfiguration, nft: String = "/usr/sbin/nft") {
        self.configuration = configuration
        self.nft = nft
    }

    /// `NetworkFirewall.apply(_:)`: runs `nft -f -` with the rendered ruleset after any earlier
    /// call has finished, replacing the `inet vic` table in the appliance namespace. Throws with
    /// nft's stderr when the batch is refused; the previous table is then left in force.
    public func apply(_ state: FirewallState) async throws {
        let ruleset = ApplianceRuleset(configuration: configuration, state: state).render()
        let previous = tail
        let nft = self.nft
        let task = Task {
            _ = await previous?.result
            try await Command.check(nft, ["-f", "-"], stdin: ruleset)
        }
        tail = task
        try await task.value
    }
}
