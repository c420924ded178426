import VICCore
import VICSystem

/// The seam to a network namespace's packet filter: vic hands it a complete nftables batch,
/// which replaces the tables it names atomically. Privilege: CAP_NET_ADMIN in the namespace
/// (vchd has it; the container does not, so it cannot change what is loaded).
public protocol PacketFilter: Sendable {
    /// Loads `ruleset` (nft syntax, one batch) inside the named namespace under /run/netns.
    func load(_ ruleset: String, in namespace: String) async throws
}

/// `PacketFilter` through the `nft` command, run with `nsenter --net=/run/netns/NS` so that only
/// the network namespace changes (never `ip netns exec`, which remounts /sys).
public struct NFTables: PacketFilter {
    let nft: String
    let nsenter: String

    public init(nft: String = "/usr/sbin/nft", nsenter: String = "/usr/bin/nsenter") {
        self.nft = nft
        self.nsenter = nsenter
    }

    public func load(_ ruleset: String, in namespace: String) async throws {
        do {
            try await Command.check(nsenter, ["--net=/run/netns/\(namespace)", "--", nft, "-f", "-"], stdin: ruleset)
        } catch {
            throw VICError.wrapping(error, "load the packet filter of \(namespace)")
        }
    }
}
