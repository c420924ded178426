import Logging
import Synchronization
import VICCore
import VICDNS
import VICPortLayer

/// The embedded DNS server's view of the containers: a `NameDirectory` snapshot built from the
/// container manager's records, rebuilt when the manager's revision moves, so names follow
/// `run`, `rm` and `rename` at once.
///
/// Only running containers are listed: a stopped one keeps its address reserved but answers
/// nothing. `--network-alias` names are per endpoint; `--link target[:alias]` names (from
/// `HostConfig.Links` and each endpoint's links) are the declaring container's own.
final class ContainerNameDirectory: NameDirectorySource {
    let containers: ContainerManager
    /// The directory last built, with the container manager's revision it was built from.
    private let cache = Mutex<(revision: UInt64, directory: NameDirectory)?>(nil)

    init(containers: ContainerManager) {
        self.containers = containers
    }

    /// The cached directory if no container changed since it was built: one atomic load and a
    /// short lock, so the DNS server answers container names on its receive thread.
    func currentDirectory() -> NameDirectory? {
        let revision = containers.revision.load(ordering: .relaxed)
        return cache.withLock { cached in
            guard let cached, cached.revision == revision else { return nil }
            return cached.directory
        }
    }

    /// The current directory: rebuilt only when a container changed since the last query, so a
    /// query costs no trip through the container manager's actor.
    func directory() async -> NameDirectory {
        // Read the revision first: a change during the rebuild makes the next query rebuild again.
        let revision = containers.revision.load(ordering: .relaxed)
        if let cached = cache.withLock({ $0 }), cached.revision == revision { return cached.directory }
        let directory = Self.directory(of: await containers.list())
        cache.withLock { $0 = (revision, directory) }
        return directory
    }

    /// The appliance's DNS server: 0.0.0.0:53 in the appliance namespace, forwarding to the
    /// VCH's resolvers. Privilege: CAP_NET_BIND_SERVICE.
    func dnsServer(upstreams: [IPv4Address], logger: Logger) -> DNSServer {
        DNSServer(upstreams: upstreams, logger: logger, directory: self)
    }

    /// One entry per running container, with an endpoint per network it is on.
    static func directory(of records: [ContainerRecord]) -> NameDirectory {
        NameDirectory(containers: records.filter(\.state.isRunning).map { record in
            NameDirectory.Entry(
                id: record.id, name: record.name,
                endpoints: record.endpoints.map {
                    .init(network: $0.network, address: $0.address.address, aliases: $0.aliases,
                          address6: $0.address6?.address)
                },
                links: links(record.host.links + record.endpoints.flatMap(\.links)))
        })
    }

    /// `target:alias`, `/target:/self/alias` or `target` → `[alias: target]`.
    static func links(_ specs: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for spec in specs {
            let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map { String($0) }
            guard let first = parts.first else { continue }
            let target = first.hasPrefix("/") ? String(first.dropFirst()) : first
            let alias = parts.count == 2 ? String(parts[1].split(separator: "/").last ?? "") : target
            if !target.isEmpty && !alias.isEmpty { result[alias] = target }
        }
        return result
    }
}
