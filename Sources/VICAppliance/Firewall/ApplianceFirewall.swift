import VICConfig
import VICPortLayer
import VICSystem

/// The appliance's `NetworkFirewall`: renders `ApplianceRuleset` and loads it with `nft -f -`.
/// The first load, and any change beyond published ports, replaces the `inet vic` table
/// atomically; a change of published ports alone only adds and deletes map elements (about 2 ms
/// here, where replacing the table waits for an RCU grace period, 20-30 ms). The port layer makes
/// one call at a time (`NetworkFirewall`), so `loaded` always describes the kernel's table.
/// Privilege: CAP_NET_ADMIN, in the appliance namespace (vchd runs there).
public actor ApplianceFirewall: NetworkFirewall {
    let configuration: VCHConfiguration
    let nft: String
    /// What is in the kernel: the ruleset without its elements, and the elements.
    private var loaded: (structure: String, elements: [String])?

    /// A firewall for the VCH; `nft` is the nft binary's path. Nothing is loaded until `apply(_:)`.
    public init(configuration: VCHConfiguration, nft: String = "/usr/sbin/nft") {
        self.configuration = configuration
        self.nft = nft
    }

    /// `NetworkFirewall.apply(_:)`: element changes when only published ports changed since the
    /// last load, else (or when nft refuses them) the whole table. Throws with nft's stderr when
    /// the batch is refused; the previous table is then left in force.
    public func apply(_ state: FirewallState) async throws {
        let ruleset = ApplianceRuleset(configuration: configuration, state: state)
        let structure = ruleset.render(withElements: false)
        let elements = ruleset.publishedElements
        if let loaded, loaded.structure == structure {
            guard let batch = ApplianceRuleset.elementChanges(from: loaded.elements, to: elements) else { return }
            if (try? await Command.check(nft, ["-f", "-"], stdin: batch)) != nil {
                self.loaded = (structure, elements)
                return
            }
        }
        loaded = nil
        try await Command.check(nft, ["-f", "-"], stdin: ruleset.render())
        loaded = (structure, elements)
    }
}
