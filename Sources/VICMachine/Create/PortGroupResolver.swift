import VICCore
import VICPlumbing

/// Finds port groups (Linux bridges) by interface name or alias, and lists suggestions.
struct PortGroupResolver {
    let links: [LinkInfo]

    /// The kernel name of the bridge called `label`, or nil.
    func resolve(_ label: String) -> String? {
        links.first { $0.isBridge && ($0.name == label || $0.alias == label) }?.name
    }

    /// " Suggested values for FLAG: "a", "b"" — the names users know the bridges by.
    func suggestions(flag: String) -> String {
        let names = links.filter(\.isBridge).map { $0.alias ?? $0.name }.sorted()
        guard !names.isEmpty else { return " There are no bridges on this host to suggest." }
        return " Suggested values for \(flag): " + names.map(quoted).joined(separator: ", ")
    }
}

/// Link names for the links vic creates: at most 15 characters, stable for a VCH name.
enum PortGroupNaming {
    /// `label` itself when it is a valid interface name, else `prefix` + a hash of it.
    static func linkName(for label: String, prefix: String) -> String {
        let valid = !label.isEmpty && label.utf8.count <= 15
            && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        return valid ? label : prefix + hash(label, digits: 15 - prefix.count)
    }

    /// A lowercase hex FNV-1a hash of `text`, `digits` long (at most 16).
    static func hash(_ text: String, digits: Int) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
        let hex = String(value, radix: 16)
        return String((String(repeating: "0", count: 16 - hex.count) + hex).prefix(digits))
    }

    /// The host end of the appliance NIC for `role`: "vh" + 8 hex + "-" + role initial.
    static func hostLink(vch: String, role: NetworkRoleInitial) -> String {
        "vh\(hash(vch, digits: 8))-\(role.rawValue)"
    }

    enum NetworkRoleInitial: String { case p, c, m, b }
}
