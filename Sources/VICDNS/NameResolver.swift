import VICCore

/// VIC's name scoping (vmware/vic `lib/dns`), as a pure function of a directory snapshot.
///
/// A container resolves, among the containers it shares a network with (itself included):
/// 1. its own `--link` aliases (visible to it alone),
/// 2. `--network-alias` names (every holder answers: several A records),
/// 3. container names and 12-character short IDs (a 64-character ID does not fit a label),
///
/// in that order of precedence; the first rule that matches answers. Each target answers with
/// its address on the network it shares with the sender. `name.network` restricts the lookup
/// to that network, which the sender must be on. Names compare case-insensitively.
///
/// Anything else is not ours and goes upstream, as VIC does: an unknown sender, an unknown
/// name, and a name the sender may not see (a container on another network). Upstream then
/// answers NXDOMAIN for such a name, which is VIC's test 1-24 "unknown host". A name that
/// resolves gets A records, and AAAA records from its endpoints on `--ipv6` networks; asked
/// with another type, or AAAA where it has no IPv6 address, it gets NODATA (NOERROR, no answer).
public struct NameResolver: Sendable {
    /// What to do with one question.
    public enum Resolution: Sendable, Equatable {
        /// An A question answered with these addresses, in answer order.
        case addresses([IPv4Address])
        /// An AAAA question answered with these addresses, in answer order.
        case addresses6([IPv6Address])
        /// The name is ours but has no record of the asked type: NOERROR, no answers.
        case noData
        /// Not ours: ask upstream (or the cache).
        case forward
    }

    /// The snapshot the rules run over.
    public let directory: NameDirectory

    /// A resolver over `directory`.
    public init(directory: NameDirectory) { self.directory = directory }

    /// Resolves `name`/`type` for the container at `client`. `rotation` turns the order of
    /// several addresses (round-robin): the server passes a counter it increments per answer.
    public func resolve(_ name: DNSName, type: DNSRecordType, from client: IPv4Address, rotation: Int = 0)
        -> Resolution
    {
        guard let sender = directory.container(at: client) else { return .forward }
        let labels = name.lowercasedLabelTexts
        guard !labels.isEmpty else { return .forward }
        let senderNetworks = sender.endpoints.map(\.network)
        // The whole name first (container names may hold dots), then `name.network` splits.
        // Compared without allocating: this runs for every query, on the receive thread.
        var found = endpoints(of: labels.count == 1 ? labels[0] : labels.joined(separator: "."),
                              for: sender, on: senderNetworks)
        var split = 1
        while found.isEmpty && split < labels.count {
            let domain = labels[split...].joined(separator: ".")
            let networks = senderNetworks.filter { Self.lowercases($0, to: domain) }
            if !networks.isEmpty {
                found = endpoints(of: labels[..<split].joined(separator: "."), for: sender, on: networks)
            }
            split += 1
        }
        guard !found.isEmpty else { return .forward }
        switch type {
        case .a:
            return .addresses(Self.rotate(Self.unique(found.map(\.address)), by: rotation))
        case .aaaa:
            let addresses = Self.unique(found.compactMap(\.address6))
            return addresses.isEmpty ? .noData : .addresses6(Self.rotate(addresses, by: rotation))
        default:
            return .noData
        }
    }

    /// The endpoints `name` (lower-case) stands for, seen by `sender` on `networks`, by rule
    /// precedence.
    func endpoints(of name: String, for sender: NameDirectory.Entry, on networks: [String]) -> [NameDirectory.Endpoint] {
        // 1. Links: declared by the sender only.
        if let target = sender.links.first(where: { Self.lowercases($0.key, to: name) })?.value.lowercased() {
            let found = directory.containers
                .filter { Self.lowercases($0.name, to: target) || $0.id == target }
                .flatMap { sharedEndpoints(of: $0, with: sender, on: networks) }
            if !found.isEmpty { return found }
        }
        // 2. Network aliases: per endpoint, on the networks in play.
        var aliased: [NameDirectory.Endpoint] = []
        for entry in directory.containers {
            for endpoint in entry.endpoints
            where networks.contains(endpoint.network)
                && endpoint.aliases.contains(where: { Self.lowercases($0, to: name) }) {
                aliased.append(endpoint)
            }
        }
        if !aliased.isEmpty { return aliased }
        // 3. Names and short IDs.
        var named: [NameDirectory.Endpoint] = []
        for entry in directory.containers where Self.lowercases(entry.name, to: name) || Self.isShortID(name, of: entry.id) {
            named += sharedEndpoints(of: entry, with: sender, on: networks)
        }
        return named
    }

    /// `target`'s endpoints on the networks it shares with `sender`, within `networks`.
    func sharedEndpoints(of target: NameDirectory.Entry, with sender: NameDirectory.Entry, on networks: [String])
        -> [NameDirectory.Endpoint]
    {
        target.endpoints.filter { endpoint in
            networks.contains(endpoint.network) && sender.endpoints.contains { $0.network == endpoint.network }
        }
    }

    /// Whether `text.lowercased() == lowered`, without allocating when `text` is ASCII.
    static func lowercases(_ text: String, to lowered: String) -> Bool {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return text.lowercased() == lowered }
        return text.utf8.count == lowered.utf8.count
            && zip(text.utf8, lowered.utf8).allSatisfy { DNSName.lowercase($0) == $1 }
    }

    /// Whether `name == String(id.prefix(12))`, comparing bytes when the first 13 of `id` are
    /// ASCII other than CR (its first 12 characters are then its first 12 bytes).
    static func isShortID(_ name: String, of id: String) -> Bool {
        let bytes = id.utf8
        guard bytes.count >= 13, bytes.prefix(13).allSatisfy({ $0 < 0x80 && $0 != 0x0d }) else {
            return id.prefix(12) == name
        }
        return bytes.prefix(12).elementsEqual(name.utf8)
    }

    static func unique<Address: Hashable>(_ addresses: [Address]) -> [Address] {
        guard addresses.count > 1 else { return addresses }
        var seen: Set<Address> = []
        return addresses.filter { seen.insert($0).inserted }
    }

    static func rotate<Address>(_ addresses: [Address], by rotation: Int) -> [Address] {
        guard addresses.count > 1 else { return addresses }
        let start = ((rotation % addresses.count) + addresses.count) % addresses.count
        return Array(addresses[start...] + addresses[..<start])
    }
}
