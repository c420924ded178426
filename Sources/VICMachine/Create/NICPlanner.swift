import VICConfig
import VICCore

/// The port group and static settings of each role, as resolved.
struct RoleNetworks {
    /// Role → kernel link name of its port group.
    var link: [NetworkRole: String] = [:]
    /// Role → the name the user gave (for messages).
    var label: [NetworkRole: String] = [:]
    var staticConfig: [NetworkRole: StaticAddressFlags.Parsed] = [:]
}

/// Groups roles onto NICs: one NIC per distinct port group, named after its first role in the
/// order public, client, management, bridge; applies VIC's static-IP rules per port group.
struct NICPlanner {
    let name: String
    let roles: RoleNetworks
    let bridgeLink: String

    func plan(into report: inout ValidationReport) -> (nics: [ApplianceNIC], sharingLines: [String]) {
        var nics: [ApplianceNIC] = []
        var sharing: [String] = []
        var links = roles.link
        links[.bridge] = bridgeLink
        for role in NetworkRole.allCases {
            guard let link = links[role] else { continue }
            if let index = nics.firstIndex(where: { $0.portGroup == link }) {
                sharing.append("Network role \(quoted(role.rawValue)) is sharing NIC with \(quoted(nics[index].name))")
                nics[index].roles.append(role)
            } else {
                let initial = PortGroupNaming.NetworkRoleInitial(rawValue: String(role.rawValue.prefix(1)))
                nics.append(ApplianceNIC(
                    name: role.rawValue, roles: [role], portGroup: link,
                    hostLink: PortGroupNaming.hostLink(vch: name, role: initial ?? .b),
                    staticAddress: nil, gateway: nil))
            }
        }
        for index in nics.indices { applyStatic(to: &nics[index], into: &report) }
        warnSameSubnet(nics, into: &report)
        return (nics, sharing)
    }

    private func applyStatic(to nic: inout ApplianceNIC, into report: inout ValidationReport) {
        let configured = nic.roles.filter { roles.staticConfig[$0]?.address != nil || roles.staticConfig[$0]?.gateway != nil }
        if nic.roles.contains(.public) {
            for role in configured where role != .public {
                report.fail("--\(role.rawValue)-network-ip",
                    "\(role.rawValue) network shares port group with public network, but has static IP configuration. Static IP on network sharing port group with public network - Configuration ONLY allowed through public network options")
            }
            if let config = roles.staticConfig[.public], let address = config.address {
                guard let gateway = config.gateway else {
                    report.fail("--public-network-gateway", "public network must have both static IP and gateway specified")
                    return
                }
                if !gateway.destinations.isEmpty {
                    report.fail("--public-network-gateway",
                        "public network has the default route and must not have any routing destinations specified for gateway")
                }
                nic.staticAddress = address
                nic.gateway = gateway
            }
            return
        }
        let configs = configured.compactMap { roles.staticConfig[$0] }
        guard let first = configs.first else { return }
        if configs.contains(where: { $0 != first }) {
            report.fail("--\(configured[0].rawValue)-network-ip",
                "Incorrect static IP configuration for networks on port group \(quoted(roles.label[configured[0]] ?? nic.portGroup))")
            return
        }
        if configured.count < nic.roles.filter({ $0 != .bridge }).count {
            report.note("Configuring static IP for additional networks using port group \(quoted(nic.portGroup))")
        }
        if let gateway = first.gateway, gateway.destinations.isEmpty {
            report.fail("--\(configured[0].rawValue)-network-gateway",
                "\(configured[0].rawValue) network gateway specified without at least one routing destination")
        }
        nic.staticAddress = first.address
        nic.gateway = first.gateway
    }

    private func warnSameSubnet(_ nics: [ApplianceNIC], into report: inout ValidationReport) {
        let addressed = nics.compactMap { nic in nic.staticAddress.map { (nic.portGroup, $0.network) } }
        for i in addressed.indices {
            for j in addressed.indices where j > i && addressed[i].1 == addressed[j].1 {
                report.warn("Unsupported static IP configuration: Same subnet \(quoted(addressed[i].1.description)) is assigned to multiple port groups \(quoted(addressed[i].0)) and \(quoted(addressed[j].0))")
            }
        }
    }
}
