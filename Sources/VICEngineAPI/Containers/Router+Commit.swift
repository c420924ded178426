import Foundation
import VICCore
import VICImage
import VICPortLayer

extension Router {
    /// `docker commit [-a AUTHOR] [-m MESSAGE] [-c CHANGE…] CONTAINER [REPO[:TAG]]`:
    /// `POST /commit?container=…&repo=…&tag=…`, the body an optional container configuration
    /// whose fields override the container's. Answers 201 with the new image's ID. The container
    /// is not paused (`pause` is accepted and ignored).
    func commitContainer(_ context: RouteContext) async throws -> EngineResponse {
        let request = context.request
        guard let container = request.queryValue("container"), !container.isEmpty else {
            throw VICError(.invalidArgument, "container is required")
        }
        let repo = request.queryValue("repo") ?? ""
        let tag = request.queryValue("tag") ?? ""
        if repo.isEmpty && !tag.isEmpty {
            throw VICError(.invalidArgument, "a tag needs a repository: \(tag)")
        }
        let body = request.body.isEmpty || request.body == Array("null".utf8)
            ? nil : try decodeBody(CommitConfigWire.self, request)
        let backend = try portLayer()
        let image = try await backend.containers.commit(container, CommitRequest(
            tag: repo.isEmpty ? nil : (tag.isEmpty ? repo : "\(repo):\(tag)"), overrides: body?.runConfig,
            changes: request.query["changes"] ?? [], comment: request.queryValue("comment"), author: request.queryValue("author")))
        struct Answer: Encodable { var Id: String }
        return .json(Answer(Id: image.id), status: .created)
    }
}

/// The fields of a container configuration that `POST /commit` honours in its body.
struct CommitConfigWire: Decodable {
    var User: String?
    var Env: [String]?
    var Cmd: [String]?
    var Entrypoint: [String]?
    var WorkingDir: String?
    var Labels: [String: String]?
    var ExposedPorts: [String: ImageConfiguration.Empty]?
    var Volumes: [String: ImageConfiguration.Empty]?
    var StopSignal: String?

    var runConfig: ImageConfiguration.RunConfig {
        var config = ImageConfiguration.RunConfig.empty
        config.User = User
        config.Env = Env
        config.Cmd = Cmd
        config.Entrypoint = Entrypoint
        config.WorkingDir = WorkingDir
        config.Labels = Labels
        config.ExposedPorts = ExposedPorts
        config.Volumes = Volumes
        config.StopSignal = StopSignal
        return config
    }
}
