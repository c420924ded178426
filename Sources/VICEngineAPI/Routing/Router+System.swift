import NIOHTTP1

/// `/_ping`, `/version` and `/info`.
extension Router {
    /// `GET|HEAD /_ping`: `OK` (no body for HEAD) with the headers the CLI negotiates from.
    func ping(_ context: RouteContext) -> EngineResponse {
        let headers: HTTPHeaders = [
            "Api-Version": EngineBuild.apiVersion,
            "Ostype": "linux",
            "Docker-Experimental": "false",
            "Swarm": "inactive",
            "Cache-Control": "no-cache, no-store, must-revalidate",
            "Pragma": "no-cache",
            "Content-Type": "text/plain; charset=utf-8",
        ]
        let body = context.request.method == .HEAD ? [] : Array("OK".utf8)
        return EngineResponse(status: .ok, headers: headers, body: body)
    }

    /// `GET /version`.
    func version() async throws -> EngineResponse {
        let info = try await backend.systemInfo()
        return .json(DockerVersion(build: build, info: info))
    }

    /// `GET /info`.
    func info() async throws -> EngineResponse {
        let info = try await backend.systemInfo()
        return .json(DockerSystemInfo(info, build: build, now: now()))
    }
}
