import VICCore

/// `GET /networks` and `GET /networks/{id}`.
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
        guard let id = context.parameters["id"], !id.isEmpty else {
            throw VICError(.invalidArgument, "network name or ID is required")
        }
        let network = try await backend.network(idOrName: id)
        return .json(DockerNetwork(network))
    }
}
