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
        var address: IPv4Address?
        if let text = body.EndpointConfig?.IPAMConfig?.IPv4Address, !text.isEmpty {
            guard let parsed = IPv4Address(text) else { throw VICError(.invalidArgument, "invalid IPv4 address: \(text)") }
            address = parsed
        }
        let endpoint = NetworkAttachment(
            network: network, ipv4Address: address, aliases: body.EndpointConfig?.Aliases ?? [], links: body.EndpointConfig?.Links ?? [],
            macAddress: body.EndpointConfig?.MacAddress.flatMap { $0.isEmpty ? nil : $0 })
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

    /// Checks the create body's shape: a name, at most one IPAM config, IPv4 only.
    static func networkCreation(_ body: DockerNetworkCreate) throws -> NetworkRequest {
        guard let name = body.Name, !name.isEmpty else { throw VICError(.invalidArgument, "network name is required") }
        if body.EnableIPv6 == true { throw VICError(.invalidArgument, "vic does not support IPv6 networks") }
        let configs = body.IPAM?.Config ?? []
        guard configs.count <= 1 else { throw VICError(.invalidArgument, "at most one ipam config supported") }
        var creation = NetworkRequest(
            name: name, driver: body.Driver.flatMap { $0.isEmpty ? nil : $0 } ?? "bridge",
            internal: body.Internal ?? false, labels: body.Labels ?? [:], options: body.Options ?? [:])
        guard let config = configs.first else { return creation }
        if let text = config.Subnet, !text.isEmpty {
            guard let interface = IPv4Interface(text) else {
                throw VICError(.invalidArgument, "invalid subnet \(text): vic takes IPv4 CIDRs only")
            }
            guard interface.address == interface.network.address else {
                throw VICError(.invalidArgument, "invalid subnet \(text): it has host bits set (did you mean \(interface.network)?)")
            }
            creation.subnet = interface.network
        }
        if let text = config.Gateway, !text.isEmpty {
            guard let gateway = IPv4Address(text) else { throw VICError(.invalidArgument, "invalid gateway \(text)") }
            creation.gateway = gateway
        }
        if let text = config.IPRange, !text.isEmpty {
            guard let interface = IPv4Interface(text), let range = IPv4Range(interface.network.first, interface.network.last) else {
                throw VICError(.invalidArgument, "invalid ip range \(text): use a CIDR")
            }
            creation.ipRange = range
        }
        if (creation.gateway != nil || creation.ipRange != nil) && creation.subnet == nil {
            throw VICError(.invalidArgument, "gateway and ip range need a subnet (--subnet)")
        }
        return creation
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
