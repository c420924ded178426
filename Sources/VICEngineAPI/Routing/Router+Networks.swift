import Foundation
import VICCore
import VICPortLayer

/// `/networks`: list, inspect, create, remove, prune, connect and disconnect. The routes decode
/// and encode; the backend decides.
extension Router {
    /// `GET /networks?filters=...`: the backend's networks, filtered here.
    func listNetworks(_ context: RouteContext) async throws -> EngineResponse {
        let filters = try FilterArguments(json: context.request.queryValue("filters"))
        // Validate before asking the backend, so a bad filter is a 400 even when it is down.
        try filters.validate(accepting: NetworkListFilter.acceptedKeys)
        let networks = try await backend.listNetworks()
        let selected = try NetworkListFilter.apply(filters, to: networks)
        return .json(selected.map(DockerNetwork.init))
    }

    /// `GET /networks/{id}`: lookup by name, ID or ID prefix is the backend's.
    func inspectNetwork(_ context: RouteContext) async throws -> EngineResponse {
        let network = try await backend.network(idOrName: try networkParameter(context))
        return .json(DockerNetwork(network))
    }

    /// `POST /networks/create` → 201 `{Id, Warning}`.
    func createNetwork(_ context: RouteContext) async throws -> EngineResponse {
        let body = try decodeBody(DockerNetworkCreate.self, context.request)
        let request = try Router.networkCreation(body)
        let id = try await backend.createNetwork(request)
        return .json(DockerNetworkCreated(Id: id), status: .created)
    }

    /// `DELETE /networks/{id}` → 204.
    func removeNetwork(_ context: RouteContext) async throws -> EngineResponse {
        try await backend.removeNetwork(idOrName: try networkParameter(context))
        return Router.noContent
    }

    /// `POST /networks/prune?filters=...` → `{NetworksDeleted}`. Filters: `label`, `label!`,
    /// `until` (a Unix time or RFC 3339 time).
    func pruneNetworks(_ context: RouteContext) async throws -> EngineResponse {
        let filters = try FilterArguments(json: context.request.queryValue("filters"))
        try filters.validate(accepting: ["label", "label!", "until"])
        let until = filters.values("until").first
        let before = until.flatMap(Router.pruneTime)
        if let until, before == nil { throw VICError(.invalidArgument, "invalid filter 'until=\(until)'") }
        let deleted = try await backend.pruneNetworks { network in
            if filters.contains("label"), !filters.matchLabels("label", network.labels) { return false }
            if filters.contains("label!"), filters.matchLabels("label!", network.labels) { return false }
            if let before, network.created >= before { return false }
            return true
        }
        return .json(DockerNetworkPruned(NetworksDeleted: deleted))
    }

    /// `POST /networks/{id}/connect` → 200.
    func connectNetwork(_ context: RouteContext) async throws -> EngineResponse {
        let network = try networkParameter(context)
        let body = try decodeBody(DockerNetworkConnect.self, context.request)
        guard let container = body.Container, !container.isEmpty else {
            throw VICError(.invalidArgument, "container is required")
        }
        let ipam = body.EndpointConfig?.IPAMConfig
        let (address, address6) = try Router.endpointAddresses(ipam?.IPv4Address, ipam?.IPv6Address)
        let endpoint = NetworkAttachment(
            network: network, ipv4Address: address, aliases: body.EndpointConfig?.Aliases ?? [], links: body.EndpointConfig?.Links ?? [],
            macAddress: body.EndpointConfig?.MacAddress.flatMap { $0.isEmpty ? nil : $0 }, ipv6Address: address6)
        try await backend.connect(network: network, container: container, endpoint: endpoint)
        return EngineResponse(status: .ok)
    }

    /// `POST /networks/{id}/disconnect` → 200.
    func disconnectNetwork(_ context: RouteContext) async throws -> EngineResponse {
        let network = try networkParameter(context)
        let body = try decodeBody(DockerNetworkDisconnect.self, context.request)
        guard let container = body.Container, !container.isEmpty else {
            throw VICError(.invalidArgument, "container is required")
        }
        try await backend.disconnect(network: network, container: container, force: body.Force ?? false)
        return EngineResponse(status: .ok)
    }

    func networkParameter(_ context: RouteContext) throws -> String {
        guard let id = context.parameters["id"], !id.isEmpty else {
            throw VICError(.invalidArgument, "network name or ID is required")
        }
        return id
    }

    /// Checks the create body's shape: a name, at most one IPAM config per address family
    /// (an IPv6 one only with `EnableIPv6`), every address parsed and of its config's family.
    static func networkCreation(_ body: DockerNetworkCreate) throws -> NetworkRequest {
        guard let name = body.Name, !name.isEmpty else { throw VICError(.invalidArgument, "network name is required") }
        var creation = NetworkRequest(
            name: name, driver: body.Driver.flatMap { $0.isEmpty ? nil : $0 } ?? "bridge",
            internal: body.Internal ?? false, labels: body.Labels ?? [:], options: body.Options ?? [:],
            enableIPv6: body.EnableIPv6 ?? false)
        let configs = body.IPAM?.Config ?? []
        let v6 = configs.filter(isIPv6Config)
        let v4 = configs.filter { !isIPv6Config($0) }
        guard v4.count <= 1, v6.count <= 1 else {
            throw VICError(.invalidArgument, "at most one ipam config supported per address family (one IPv4, one IPv6)")
        }
        if let config = v4.first { try applyIPv4(config, to: &creation) }
        if let config = v6.first { try applyIPv6(config, to: &creation) }
        return creation
    }

    /// Whether a create body's IPAM config is IPv6: its subnet, else its gateway, holds a colon.
    static func isIPv6Config(_ config: DockerNetworkCreate.IPAMConfig) -> Bool {
        let text = config.Subnet.flatMap { $0.isEmpty ? nil : $0 } ?? config.Gateway ?? ""
        return text.contains(":")
    }

    static func applyIPv4(_ config: DockerNetworkCreate.IPAMConfig, to creation: inout NetworkRequest) throws {
        creation.subnet = try subnet(config.Subnet) { IPv4Interface($0).map { ($0.network, $0.address != $0.network.address) } }
        creation.gateway = try gateway(config.Gateway, IPv4Address.init)
        if let text = config.IPRange, !text.isEmpty {
            guard let interface = IPv4Interface(text), let range = IPv4Range(interface.network.first, interface.network.last) else {
                throw VICError(.invalidArgument, "invalid ip range \(text): use a CIDR")
            }
            creation.ipRange = range
        }
        if (creation.gateway != nil || creation.ipRange != nil) && creation.subnet == nil {
            throw VICError(.invalidArgument, "gateway and ip range need a subnet (--subnet)")
        }
    }

    static func applyIPv6(_ config: DockerNetworkCreate.IPAMConfig, to creation: inout NetworkRequest) throws {
        creation.subnet6 = try subnet(config.Subnet) { IPv6Interface($0).map { ($0.network, $0.address != $0.network.address) } }
        creation.gateway6 = try gateway(config.Gateway, IPv6Address.init)
        if let text = config.IPRange, !text.isEmpty {
            throw VICError(.invalidArgument, "ip range \(text): vic hands out IPv6 addresses from the whole subnet and takes no IPv6 --ip-range")
        }
        if creation.gateway6 != nil && creation.subnet6 == nil {
            throw VICError(.invalidArgument, "an IPv6 gateway needs an IPv6 subnet (--subnet)")
        }
    }

    /// An IPAM config's subnet, nil when absent: `parse` reads the CIDR and says whether it has
    /// host bits set, which is refused with the network it would be.
    static func subnet<Network>(_ text: String?, _ parse: (String) -> (network: Network, hostBits: Bool)?) throws -> Network? {
        guard let text, !text.isEmpty else { return nil }
        guard let (network, hostBits) = parse(text) else {
            throw VICError(.invalidArgument, "invalid subnet \(text): use a CIDR such as 172.20.0.0/16 or fd00:20::/64")
        }
        guard !hostBits else {
            throw VICError(.invalidArgument, "invalid subnet \(text): it has host bits set (did you mean \(network)?)")
        }
        return network
    }

    /// An IPAM config's gateway, nil when absent.
    static func gateway<Address>(_ text: String?, _ parse: (String) -> Address?) throws -> Address? {
        guard let text, !text.isEmpty else { return nil }
        guard let address = parse(text) else { throw VICError(.invalidArgument, "invalid gateway \(text)") }
        return address
    }

    /// An endpoint config's `IPAMConfig.IPv4Address`/`IPv6Address` (`--ip`, `--ip6`); nil when
    /// absent or empty.
    static func endpointAddresses(_ ipv4: String?, _ ipv6: String?) throws -> (IPv4Address?, IPv6Address?) {
        var v4: IPv4Address?
        var v6: IPv6Address?
        if let text = ipv4, !text.isEmpty {
            guard let parsed = IPv4Address(text) else { throw VICError(.invalidArgument, "invalid IPv4 address: \(text)") }
            v4 = parsed
        }
        if let text = ipv6, !text.isEmpty {
            guard let parsed = IPv6Address(text) else { throw VICError(.invalidArgument, "invalid IPv6 address: \(text)") }
            v6 = parsed
        }
        return (v4, v6)
    }

    /// `until`: Unix seconds (`1700000000`, `1700000000.5`), RFC 3339, or a Go duration ago (`24h`).
    static func pruneTime(_ text: String) -> Date? {
        if let seconds = Double(text) { return Date(timeIntervalSince1970: seconds) }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        if let unit = text.last, let scale = units[unit], let value = Double(text.dropLast()) {
            return Date().addingTimeInterval(-value * scale)
        }
        return nil
    }
}
