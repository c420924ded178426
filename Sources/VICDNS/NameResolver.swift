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
/// resolves, asked with a type other than A, gets NODATA (NOERROR, no answer).
public struct NameResolver: Sendable {
    /// What to do with one question.
    public enum Resolution: Sendable, Equatable {
        /// An A question answered with these addresses, in answer order.
        case addresses([IPv4Address])
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
        var candidates: [(name: String, networks: [String])] = [(labels.joined(separator: "."), senderNetworks)]
        for split in 1..<labels.count {
            let domain = labels[split...].joined(separator: ".")
            let networks = senderNetworks.filter { $0.lowercased() == domain }
            if !networks.isEmpty { candidates.append((labels[..<split].joined(separator: "."), networks)) }
        }
        for candidate in candidates {
            let found = addresses(of: candidate.name, for: sender, on: Set(candidate.networks))
            guard !found.isEmpty else { continue }
            guard type == .a else { return .noData }
            return .addresses(Self.rotate(found, by: rotation))
        }
        return .forward
    }

    /// The addresses `name` stands for, seen by `sender` on `networks`, by rule precedence.
    func addresses(of name: String, for sender: NameDirectory.Entry, on networks: Set<String>) -> [IPv4Address] {
        // 1. Links: declared by the sender only.
        if let target = sender.links.first(where: { $0.key.lowercased() == name })?.value.lowercased() {
            let linked = directory.containers.filter { $0.name.lowercased() == target || $0.id == target }
            let found = linked.flatMap { sharedAddresses(of: $0, with: sender, on: networks) }
            if !found.isEmpty { return found }
        }
        // 2. Network aliases: per endpoint, on the networks in play.
        var aliased: [IPv4Address] = []
        for entry in directory.containers {
            for endpoint in entry.endpoints
            where networks.contains(endpoint.network) && endpoint.aliases.contains(where: { $0.lowercased() == name }) {
                aliased.append(endpoint.address)
            }
        }
        if !aliased.isEmpty { return Self.unique(aliased) }
        // 3. Names and short IDs.
        let named = directory.containers.filter {
            $0.name.lowercased() == name || $0.shortID == name
        }
        return Self.unique(named.flatMap { sharedAddresses(of: $0, with: sender, on: networks) })
    }

    /// `target`'s addresses on the networks it shares with `sender`, within `networks`.
    func sharedAddresses(of target: NameDirectory.Entry, with sender: NameDirectory.Entry, on networks: Set<String>)
        -> [IPv4Address]
    {
        let senderNetworks = Set(sender.endpoints.map(\.network))
        return target.endpoints
            .filter { senderNetworks.contains($0.network) && networks.contains($0.network) }
            .map(\.address)
    }

    static func unique(_ addresses: [IPv4Address]) -> [IPv4Address] {
        var seen: Set<IPv4Address> = []
        return addresses.filter { seen.insert($0).inserted }
    }

    static func rotate(_ addresses: [IPv4Address], by rotation: Int) -> [IPv4Address] {
        guard addresses.count > 1 else { return addresses }
        let start = ((rotation % addresses.count) + addresses.count) % addresses.count
        return Array(addresses[start...] + addresses[..<start])
    }
}
