/// The roles a VCH's own NICs play, in VIC's fixed order: a NIC is named after the first role
/// that uses its port group.
public enum NetworkRole: String, Codable, Sendable, CaseIterable, Comparable {
    case `public`, client, management, bridge

    var order: Int {
        switch self {
        case .public: 0
        case .client: 1
        case .management: 2
        case .bridge: 3
        }
    }

    /// VIC's role order: public, client, management, bridge.
    public static func < (lhs: NetworkRole, rhs: NetworkRole) -> Bool { lhs.order < rhs.order }
}

/// How much a container network trusts its peers (VIC's `--container-network-firewall`).
public enum TrustLevel: String, Codable, Sendable, CaseIterable {
    case closed, outbound, published, open, peers
}
