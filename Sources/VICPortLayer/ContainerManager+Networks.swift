import Foundation
import VICCore

/// Networks: endpoints at create time, and `docker network create/rm/prune`.
extension ContainerManager {
    /// The network a create request names: `default`/`bridge`/empty mean the default bridge;
    /// nil for `none` (loopback only).
    func primaryNetwork(of request: ContainerRequest) throws -> String? {
        let mode = request.host.networkMode
        if ["default", "bridge", ""].contains(mode) { return "bridge" }
        if mode == "none" { return nil }
        if mode == "host" || mode.hasPrefix("container:") {
            throw VICError(.invalidArgument, "network mode \(mode) is not supported by vic: containers always get their own network namespace")
        }
        return try scope(mode).name
    }

    /// Reserves an address on each network the request joins (the lowest free one, or `--ip`)
    /// and returns the endpoints: the `--net` network first, then any other endpoint config.
    /// Nothing stays reserved when it throws.
    func reserveEndpoints(for request: ContainerRequest) throws -> [Endpoint] {
        guard let primary = try primaryNetwork(of: request) else {
            if let extra = request.networks.first(where: { $0.network != "none" }) {
                throw VICError(.invalidArgument, "container cannot be connected to \(extra.network) with network mode none")
            }
            return []
        }
        var wanted: [(NetworkScope, NetworkAttachment)] = []
        let primaryScope = try scope(primary)
        let primaryAttachment = request.networks.first {
            $0.network == primary || $0.network == request.host.networkMode || $0.network == primaryScope.id
                || (primary == "bridge" && $0.network == "default")
        } ?? NetworkAttachment(network: primary)
        wanted.append((primaryScope, primaryAttachment))
        for attachment in request.networks where attachment != primaryAttachment {
            let scope = try scope(attachment.network)
            if !wanted.contains(where: { $0.0.name == scope.name }) { wanted.append((scope, attachment)) }
        }
        if wanted.filter({ $0.0.driver == .external }).count > 1 {
            throw VICError(.invalidArgument, "container can only be added to at most one mapped network")
        }
        if primaryScope.driver == .external {
            try TrustRuleset.validate(request.host.portBindings, trust: primaryScope.trust, network: primaryScope.name)
        }
        var endpoints: [Endpoint] = []
        do {
            for (scope, attachment) in wanted {
                var attachment = attachment
                // Links on the default bridge arrive in HostConfig.Links.
                if scope.name == "bridge" && attachment.links.isEmpty { attachment.links = request.host.links }
                endpoints.append(try reserveEndpoint(on: scope.name, attachment))
            }
        } catch {
            releaseEndpoints(endpoints)
            throw error
        }
        return endpoints
    }

    /// Reserves one address on `network` and builds the endpoint; a DHCP network's endpoint is
    /// unleased until the container starts.
    func reserveEndpoint(on network: String, _ attachment: NetworkAttachment) throws -> Endpoint {
        guard var scope = scopes[network] else { throw VICError(.notFound, "network \(network) not found") }
        if let mac = attachment.macAddress, !Self.isMACAddress(mac) {
            throw VICError(.invalidArgument, "invalid MAC address: \(mac)")
        }
        guard var pool = scope.pool, let subnet = scope.subnet else {
            if let address = attachment.ipv4Address {
                throw VICError(.invalidArgument, "Cannot set static IP (\(address)) when default gateway is not set for network \(scope.name)")
            }
            if let wanted = attachment.ipv6Address { throw Self.noIPv6(wanted, on: scope.name) }
            return Endpoint(
                network: scope.name, networkID: scope.id, address: try Endpoint.unleased(), gateway: nil,
                macAddress: attachment.macAddress?.lowercased() ?? ContainerNetworking.randomMACAddress(),
                dnsServers: scope.dnsServers, aliases: attachment.aliases, links: attachment.links)
        }
        let address = try pool.reserve(wantedOrNext: attachment.ipv4Address, network: scope.name)
        guard let interface = IPv4Interface(address: address, prefixLength: subnet.prefixLength) else {
            throw VICError(.internal, "bad prefix for \(scope.name)")
        }
        let address6 = try reserveIPv6(in: &scope, attachment)
        scope.pool = pool
        scopes[scope.name] = scope
        return Endpoint(
            network: scope.name, networkID: scope.id, address: interface, gateway: scope.gateway,
            macAddress: attachment.macAddress?.lowercased() ?? ContainerNetworking.macAddress(for: address),
            dnsServers: scope.dnsServers.isEmpty ? [scope.gateway].compactMap { $0 } : scope.dnsServers,
            aliases: attachment.aliases, links: attachment.links,
            address6: address6, gateway6: address6 == nil ? nil : scope.gateway6)
    }

    /// Reserves the endpoint's IPv6 address in `scope`'s copy of its pool (`--ip6`, else the
    /// lowest free one); nil on a network without IPv6, where `--ip6` is refused.
    func reserveIPv6(in scope: inout NetworkScope, _ attachment: NetworkAttachment) throws -> IPv6Interface? {
        guard var pool6 = scope.pool6, let subnet6 = scope.subnet6 else {
            if let wanted = attachment.ipv6Address { throw Self.noIPv6(wanted, on: scope.name) }
            return nil
        }
        let address = try pool6.reserve(wantedOrNext: attachment.ipv6Address, network: scope.name)
        scope.pool6 = pool6
        return IPv6Interface(address: address, prefixLength: subnet6.prefixLength)
    }

    static func noIPv6(_ address: IPv6Address, on network: String) -> VICError {
        VICError(.invalidArgument, "cannot use IPv6 address \(address) (--ip6): network \(network) has no IPv6 (docker network create --ipv6)")
    }

    /// Gives the endpoints' addresses back to their pools (at removal or disconnect).
    func releaseEndpoints(_ endpoints: [Endpoint]) {
        for endpoint in endpoints where !endpoint.isDynamic {
            scopes[endpoint.network]?.pool?.release(endpoint.address.address)
            if let address6 = endpoint.address6 { scopes[endpoint.network]?.pool6?.release(address6.address) }
        }
    }

    static func isMACAddress(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 6 && parts.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) }
    }

    // MARK: docker network

    /// A network by exact name, full ID or unique ID prefix.
    public func scope(_ reference: String) throws -> NetworkScope {
        if let byName = scopes[reference] { return byName }
        if let byID = scopes.values.first(where: { $0.id == reference }) { return byID }
        let matches = scopes.values.filter { !reference.isEmpty && $0.id.hasPrefix(reference) }
        if matches.count > 1 { throw VICError(.invalidArgument, "network \(reference) is ambiguous (\(matches.count) matches)") }
        guard let match = matches.first else { throw VICError(.notFound, "network \(reference) not found") }
        return match
    }

    /// `docker network create`: a bridge scope on a Linux bridge of its own, persisted, with its
    /// gateway on the appliance and the firewall rebuilt. Undone when any step fails.
    public func createNetwork(_ request: NetworkRequest) async throws -> NetworkScope {
        guard let bridge = scopes["bridge"], let width = bridge.subnet?.prefixLength else {
            throw VICError(.unavailable, "the VCH has no bridge network to create networks on")
        }
        guard let range = bridgeRange ?? IPv4Network(cidr: "172.16.0.0/12") else {
            throw VICError(.internal, "no bridge network range")
        }
        let planner = NetworkPlanner(bridgeRange: range, width: width, portGroup: bridge.portGroup)
        // Whole seconds, so that `Created` reads the same after a restart.
        let created = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let scope = try planner.plan(request, existing: networkScopes, id: Identifier.random(), created: created)
        scopes[scope.name] = scope
        do {
            try networkStore.save(networkScopes)
            try await bridgeGateways.addGateway(for: scope)
            try await applyFirewall()
        } catch {
            scopes[scope.name] = nil
            try? networkStore.save(networkScopes)
            try? await bridgeGateways.removeGateway(for: scope)
            try? await applyFirewall()
            throw VICError.wrapping(error, "create network \(scope.name)")
        }
        logger.info("network \(scope.name) created: \(scope.subnet?.description ?? "-") on bridge \(scope.portGroup)")
        return scope
    }

    /// `docker network rm`: builtin networks and networks with members (running or not) stay.
    public func removeNetwork(_ reference: String) async throws {
        let scope = try scope(reference)
        if scope.builtin {
            throw VICError(.invalidArgument, "\(scope.name) is a pre-defined network and cannot be removed: cannot remove builtin scope")
        }
        if records.values.contains(where: { $0.endpoints.contains { $0.network == scope.name } }) {
            throw VICError(.conflict, "\(scope.name) has active endpoints")
        }
        scopes[scope.name] = nil
        do {
            try networkStore.save(networkScopes)
        } catch {
            scopes[scope.name] = scope
            throw VICError.wrapping(error, "remove network \(scope.name)")
        }
        try await applyFirewall()
        try await bridgeGateways.removeGateway(for: scope)
        logger.info("network \(scope.name) removed")
    }

    /// `docker network prune`: every user network without members that passes `keep`
    /// (the API's label and `until` filters). Returns the names removed. The store is written
    /// and the firewall rebuilt once for all of them, then each network's bridge is removed.
    public func pruneNetworks(where keep: @Sendable (NetworkScope) -> Bool) async throws -> [String] {
        let members = Set(records.values.flatMap { $0.endpoints.map(\.network) })
        let doomed = networkScopes.filter { !$0.builtin && !members.contains($0.name) && keep($0) }
        guard !doomed.isEmpty else { return [] }
        for scope in doomed { scopes[scope.name] = nil }
        do {
            try networkStore.save(networkScopes)
        } catch {
            for scope in doomed { scopes[scope.name] = scope }
            throw VICError.wrapping(error, "prune networks")
        }
        try await applyFirewall()
        for scope in doomed {
            do { try await bridgeGateways.removeGateway(for: scope) } catch {
                logger.warning("prune: network \(scope.name) removed, but not its bridge: \(error)")
            }
        }
        logger.info("pruned \(doomed.count) networks")
        return doomed.map(\.name)
    }
}
