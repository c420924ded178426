import VICCore

extension Router {
    /// `docker volume ls`: vic has no volumes yet, so the list is empty.
    func listVolumes(_ context: RouteContext) async throws -> EngineResponse {
        _ = try FilterArguments(json: context.request.queryValue("filters"))
        struct List: Encodable {
            var Volumes: [String] = []
            var Warnings = ExplicitNull<[String]>(nil)
        }
        return .json(List())
    }

    /// Every name is unknown: Docker's 404, so `docker inspect NAME` moves on to say
    /// "No such object".
    func inspectVolume(_ context: RouteContext) async throws -> EngineResponse {
        let name = context.parameters["name"] ?? ""
        throw VICError(.notFound, "get \(name): no such volume")
    }
}

extension Router {
    /// vic runs no plugins: every name is Docker's 404, which `docker inspect NAME` skips.
    func inspectPlugin(_ context: RouteContext) async throws -> EngineResponse {
        let name = context.parameters["name"] ?? ""
        throw VICError(.notFound, "plugin \"\(name)\" not found")
    }
}
