import Foundation
import VICCore
import VICPlumbing

/// A container's NICs while it runs: attached at start, added and removed live by
/// `docker network connect/disconnect`, torn down at exit.
extension ContainerManager {
    /// The directory where a container's DHCP clients keep their leases and PID files.
    func leaseDirectory(_ id: String) -> String { "\(directory(id))/dhcp" }

    /// The endpoint that gets the default route: the first external network, else the first
    /// non-internal one; nil when every network is internal (or there is none).
    func defaultEndpoint(_ endpoints: [Endpoint]) -> Endpoint? {
        endpoints.first { scopes[$0.network]?.driver == .external }
            ?? endpoints.first { scopes[$0.network].map { !$0.internal } ?? false }
    }

    /// Adds one NIC per endpoint (`eth0`, `eth1`… in endpoint order) to the namespace
    /// `ContainerNetworking.prepare` made, leases the addresses of DHCP endpoints, then sets the
    /// default route and the trust filter. Persists the leased addresses. Before the container
    /// process runs.
    ///
    /// Two helper processes when no endpoint uses DHCP: one batch in the host namespace and one
    /// (NICs up, addresses, default route) in the container's.
    func attachEndpoints(_ id: String) async throws {
        guard var record = records[id] else { throw VICError(.notFound, "No such container: \(id)") }
        var nics: [ContainerNetworking.NIC] = []
        var names: [String: String] = [:]
        for (index, endpoint) in record.endpoints.enumerated() {
            guard let scope = scopes[endpoint.network] else {
                throw VICError(.notFound, "network \(endpoint.network) not found")
            }
            nics.append(.init(endpoint: endpoint, interface: "eth\(index)", portGroup: scope.portGroup))
            names[endpoint.network] = "eth\(index)"
        }
        // With only static addresses the route is known now and joins the batch.
        let dynamic = record.endpoints.contains(where: \.isDynamic)
        let route = dynamic ? nil : defaultEndpoint(record.endpoints).flatMap { primary in
            primary.gateway.flatMap { gateway in names[primary.network].map { (gateway: gateway, interface: $0) } }
        }
        try await networking.attach(id, nics, defaultRoute: route)
        guard dynamic || hasTrustMembers(record) else { return }
        for (index, nic) in nics.enumerated() where nic.endpoint.isDynamic {
            guard let scope = scopes[nic.endpoint.network] else { continue }
            record.endpoints[index] = try await lease(id, nic.endpoint, scope: scope, interface: nic.interface,
                                                      hostname: record.config.hostname)
        }
        // The record may have changed while we waited; only the leases are ours to write.
        if dynamic, var current = records[id] {
            current.endpoints = record.endpoints
            try save(current)
            record = current
        }
        try await applyRoutesAndTrust(record, names: names, routeSet: !dynamic)
    }

    /// Whether the container is on a container network, whose trust filter must be loaded.
    func hasTrustMembers(_ record: ContainerRecord) -> Bool {
        record.endpoints.contains { scopes[$0.network]?.driver == .external }
    }

    /// Leases the address of a DHCP endpoint and returns the endpoint with it.
    func lease(_ id: String, _ endpoint: Endpoint, scope: NetworkScope, interface: String, hostname: String) async throws -> Endpoint {
        try FileManager.default.createDirectory(atPath: leaseDirectory(id), withIntermediateDirectories: true)
        let lease = try await networking.acquireLease(id, interface: interface, hostname: hostname,
                                                      leaseDirectory: leaseDirectory(id))
        var leased = endpoint
        leased.address = lease.address
        leased.gateway = lease.routers.first
        leased.dnsServers = scope.dnsServers.isEmpty ? lease.dnsServers : scope.dnsServers
        logger.info("container \(Identifier.short(id)) leased \(lease.address) on \(scope.name)")
        return leased
    }

    /// The container's NIC names by network, found by MAC address in its namespace.
    func interfaces(of record: ContainerRecord) async throws -> [String: String] {
        let links = try await networking.links.links(in: networking.namespace(for: record.id))
        var result: [String: String] = [:]
        for endpoint in record.endpoints {
            if let link = links.first(where: { $0.macAddress?.lowercased() == endpoint.macAddress.lowercased() }) {
                result[endpoint.network] = link.name
            }
        }
        return result
    }

    /// Points the default route at the default endpoint's gateway (or removes it) and loads
    /// the trust filter for the container networks the container is on.
    /// `names` (network to NIC) saves looking them up; `routeSet` skips the route when the
    /// caller has just set it.
    func applyRoutesAndTrust(_ record: ContainerRecord, reloadFilter: Bool = false, names known: [String: String]? = nil,
                             routeSet: Bool = false) async throws {
        let names: [String: String]
        if let known { names = known } else { names = try await interfaces(of: record) }
        if routeSet {
            // Done in the attach batch.
        } else if let primary = defaultEndpoint(record.endpoints), let interface = names[primary.network],
           let gateway = primary.gateway {
            try await networking.setDefaultRoute(record.id, via: gateway, interface: interface)
        } else if !record.endpoints.isEmpty {
            try await networking.setDefaultRoute(record.id, via: nil, interface: "")
        }
        var members: [TrustRuleset.Member] = []
        for endpoint in record.endpoints {
            guard let scope = scopes[endpoint.network], scope.driver == .external,
                  let interface = names[endpoint.network] else { continue }
            let peers = scope.ranges.isEmpty ? (scope.subnet.map { [$0.range] } ?? []) : scope.ranges
            members.append(.init(interface: interface, trust: scope.trust, dynamic: scope.usesDHCP, peers: peers,
                                 ports: try requestedBindings(record)))
        }
        if !members.isEmpty || reloadFilter {
            try await networking.applyTrust(TrustRuleset(members: members), to: record.id)
        }
    }

    /// The container's /etc files with its DNS servers and `--link` targets resolved.
    func files(for record: ContainerRecord) -> ContainerFiles {
        var links: [ContainerFiles.LinkedHost] = []
        let declared = record.host.links + record.endpoints.flatMap(\.links)
        for link in Set(declared).sorted() {
            let parts = link.split(separator: ":", maxSplits: 1).map { String($0) }
            guard let targetName = parts.first.map({ $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }),
                  let target = try? self.record(targetName) else { continue }
            let alias = parts.count > 1 ? String(parts[1].split(separator: "/").last ?? "") : targetName
            let shared = target.endpoints.first { candidate in
                !candidate.isDynamic && record.endpoints.contains { $0.network == candidate.network }
            }
            guard let shared else { continue }
            let names = [alias, target.name].reduce(into: [String]()) { if !$0.contains($1) && !$1.isEmpty { $0.append($1) } }
            links.append(.init(address: shared.address.address, names: names))
        }
        return ContainerFiles(record: record, directory: directory(record.id),
                              defaultEndpoint: defaultEndpoint(record.endpoints), links: links)
    }

    /// At exit: stops DHCP clients, removes the namespace with every NIC, and forgets leased
    /// addresses (a restart leases again). Static addresses stay reserved until removal.
    func detachEndpoints(_ id: String) async {
        networking.releaseLeases(leaseDirectory: leaseDirectory(id))
        try? await networking.discardNamespace(id)
        guard var record = records[id], record.endpoints.contains(where: { scopes[$0.network]?.usesDHCP == true }) else { return }
        for index in record.endpoints.indices where scopes[record.endpoints[index].network]?.usesDHCP == true {
            if let unleased = try? Endpoint.unleased() { record.endpoints[index].address = unleased }
            record.endpoints[index].gateway = nil
        }
        try? save(record)
    }

    // MARK: docker network connect / disconnect

    /// `docker network connect`: reserves the endpoint and, when the container runs, adds the
    /// NIC live (`ethN`), re-evaluating the default route and the trust filter.
    public func connect(_ reference: String, to network: String, _ attachment: NetworkAttachment) async throws {
        var record = try record(reference)
        let scope = try scope(network)
        if record.endpoints.contains(where: { $0.network == scope.name }) {
            throw VICError(.conflict, "endpoint with name \(record.name) already exists in network \(scope.name)")
        }
        if record.host.networkMode == "none" {
            throw VICError(.invalidArgument, "container \(record.name) has network mode none and cannot join other networks")
        }
        if scope.driver == .external, record.endpoints.contains(where: { scopes[$0.network]?.driver == .external }) {
            throw VICError(.invalidArgument, "container can only be added to at most one mapped network")
        }
        var endpoint = try reserveEndpoint(on: scope.name, attachment)
        record.endpoints.append(endpoint)
        do {
            try save(record)
            if record.state.status == .running {
                let interface = try await networking.nextInterfaceName(record.id)
                try await networking.attach(record.id, endpoint: endpoint, interface: interface,
                                            portGroup: scope.portGroup)
                if endpoint.isDynamic {
                    endpoint = try await lease(record.id, endpoint, scope: scope, interface: interface,
                                               hostname: record.config.hostname)
                    if let index = record.endpoints.lastIndex(where: { $0.network == scope.name }) {
                        record.endpoints[index] = endpoint
                    }
                    try save(record)
                }
                try await applyRoutesAndTrust(record)
                try? files(for: record).rewriteInPlace()
            }
        } catch {
            try? await networking.detach(record.id, networkID: scope.id)
            if var current = records[record.id] {
                current.endpoints.removeAll { $0.network == scope.name }
                try? save(current)
            }
            releaseEndpoints([endpoint])
            throw VICError.wrapping(error, "connect \(record.name) to \(scope.name)")
        }
        emitNetwork("connect", scope: scope, container: record.id)
    }

    /// `docker network disconnect`: removes the endpoint and, when the container runs, its NIC
    /// (and its port on the network's bridge with it). `force` tolerates a container that is already gone.
    public func disconnect(_ reference: String, from network: String, force: Bool) async throws {
        let scope = try scope(network)
        let found: ContainerRecord
        do { found = try record(reference) } catch {
            if force { return }
            throw error
        }
        var record = found
        guard let endpoint = record.endpoints.first(where: { $0.network == scope.name }) else {
            throw VICError(.invalidArgument, "container \(record.name) is not connected to network \(scope.name)")
        }
        if record.state.status == .running {
            if scopes[endpoint.network]?.usesDHCP == true, let names = try? await interfaces(of: record),
               let interface = names[endpoint.network] {
                DHCPClient(leaseDirectory: leaseDirectory(record.id)).stopRenewing(
                    pidFile: "\(leaseDirectory(record.id))/\(interface).pid")
            }
            try await networking.detach(record.id, networkID: endpoint.networkID)
        }
        record.endpoints.removeAll { $0.network == scope.name }
        try save(record)
        releaseEndpoints([endpoint])
        if record.state.status == .running {
            try await applyRoutesAndTrust(record, reloadFilter: true)
            try? files(for: record).rewriteInPlace()
        }
        emitNetwork("disconnect", scope: scope, container: record.id)
    }

    func emitNetwork(_ action: String, scope: NetworkScope, container: String) {
        logger.info("network \(scope.name): \(action) \(Identifier.short(container))")
    }
}
