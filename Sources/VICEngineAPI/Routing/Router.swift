import Foundation
import Logging
import NIOHTTP1
import VICCore

/// Turns an `EngineRequest` into an `EngineResponse`: strips the `/vX.Y` prefix, checks the
/// version, finds the operation in the v1.45 spec and calls its handler.
///
/// - A spec operation with a handler runs it; a thrown error becomes Docker's error JSON with
///   the status `ErrorStatus` picks.
/// - A spec operation without one answers 501 `vic does not implement METHOD /path yet`.
/// - A path outside the spec, or a known path with a method the spec does not list, answers
///   404 `page not found`, as Docker's router does for both (it never says 405).
///
/// Pure apart from the backend calls: no channel, no I/O. Every response carries the standard
/// headers (`Server`, `Api-Version`, `Docker-Experimental`, `Ostype`).
public struct Router: Sendable {
    typealias Handler = @Sendable (Router, RouteContext) async throws -> EngineResponse

    /// What a handler gets: the request and the template's bound parameters.
    struct RouteContext: Sendable {
        var request: EngineRequest
        var parameters: [String: String]
    }

    let backend: any EngineBackend
    let build: EngineBuild
    let logger: Logger
    /// The clock for `SystemTime`, injectable for tests.
    let now: @Sendable () -> Date
    private let handlers: [PathTemplate.Operation: Handler]

    /// A router over `backend`.
    ///
    /// - Parameters:
    ///   - backend: Where the domain answers come from.
    ///   - build: Build facts for `/version` and the `Server` header.
    ///   - logger: Logs failed requests: 500 at `error`, 501 and 503 at `info`, others at `debug`.
    public init(
        backend: any EngineBackend, build: EngineBuild = .development,
        logger: Logger = Logger(label: "vic.engine-api")
    ) {
        self.init(backend: backend, build: build, logger: logger, now: { Date() })
    }

    init(backend: any EngineBackend, build: EngineBuild, logger: Logger, now: @escaping @Sendable () -> Date) {
        self.backend = backend
        self.build = build
        self.logger = logger
        self.now = now
        self.handlers = Router.routes
    }

    /// The operations vic implements, by spec operation.
    static let routes = systemRoutes.merging(containerRoutes) { first, _ in first }

    static let systemRoutes: [PathTemplate.Operation: Handler] = [
        .init("GET", "/_ping"): { router, context in router.ping(context) },
        .init("HEAD", "/_ping"): { router, context in router.ping(context) },
        .init("GET", "/version"): { router, _ in try await router.version() },
        .init("GET", "/info"): { router, _ in try await router.info() },
        .init("GET", "/networks"): { router, context in try await router.listNetworks(context) },
        .init("GET", "/networks/{id}"): { router, context in try await router.inspectNetwork(context) },
        .init("POST", "/networks/create"): { router, context in try await router.createNetwork(context) },
        .init("DELETE", "/networks/{id}"): { router, context in try await router.removeNetwork(context) },
        .init("POST", "/networks/prune"): { router, context in try await router.pruneNetworks(context) },
        .init("POST", "/networks/{id}/connect"): { router, context in try await router.connectNetwork(context) },
        .init("POST", "/networks/{id}/disconnect"): { router, context in try await router.disconnectNetwork(context) },
        .init("GET", "/plugins/{name}/json"): { router, context in try await router.inspectPlugin(context) },
    ]

    static let containerRoutes: [PathTemplate.Operation: Handler] = [
        .init("GET", "/volumes"): { router, context in try await router.listVolumes(context) },
        .init("POST", "/volumes/create"): { router, context in try await router.createVolume(context) },
        .init("GET", "/volumes/{name}"): { router, context in try await router.inspectVolume(context) },
        .init("DELETE", "/volumes/{name}"): { router, context in try await router.removeVolume(context) },
        .init("POST", "/volumes/prune"): { router, context in try await router.pruneVolumes(context) },
        .init("POST", "/containers/create"): { router, context in try await router.createContainer(context) },
        .init("GET", "/containers/json"): { router, context in try await router.listContainers(context) },
        .init("GET", "/containers/{id}/json"): { router, context in try await router.inspectContainer(context) },
        .init("POST", "/containers/{id}/start"): { router, context in try await router.startContainer(context) },
        .init("POST", "/containers/{id}/stop"): { router, context in try await router.stopContainer(context) },
        .init("POST", "/containers/{id}/restart"): { router, context in try await router.restartContainer(context) },
        .init("POST", "/containers/{id}/kill"): { router, context in try await router.killContainer(context) },
        .init("POST", "/containers/{id}/pause"): { router, context in try await router.pauseContainer(context) },
        .init("POST", "/containers/{id}/update"): { router, context in try await router.updateContainer(context) },
        .init("POST", "/containers/{id}/unpause"): { router, context in try await router.unpauseContainer(context) },
        .init("POST", "/containers/{id}/wait"): { router, context in try await router.waitContainer(context) },
        .init("POST", "/containers/{id}/attach"): { router, context in try await router.attachContainer(context) },
        .init("POST", "/containers/{id}/resize"): { router, context in try await router.resizeContainer(context) },
        .init("POST", "/containers/{id}/rename"): { router, context in try await router.renameContainer(context) },
        .init("GET", "/containers/{id}/logs"): { router, context in try await router.containerLogs(context) },
        .init("DELETE", "/containers/{id}"): { router, context in try await router.removeContainer(context) },
        .init("POST", "/containers/{id}/exec"): { router, context in try await router.createExec(context) },
        .init("POST", "/exec/{id}/start"): { router, context in try await router.startExec(context) },
        .init("GET", "/exec/{id}/json"): { router, context in try await router.inspectExec(context) },
        .init("POST", "/exec/{id}/resize"): { router, context in try await router.resizeExec(context) },
        .init("GET", "/containers/{id}/top"): { router, context in try await router.containerTop(context) },
        .init("GET", "/containers/{id}/export"): { router, context in try await router.exportContainer(context) },
        .init("GET", "/containers/{id}/changes"): { router, context in try await router.containerChanges(context) },
        .init("HEAD", "/containers/{id}/archive"): { router, context in try await router.statContainerPath(context) },
        .init("GET", "/containers/{id}/archive"): { router, context in try await router.copyFromContainer(context) },
        .init("PUT", "/containers/{id}/archive"): { router, context in try await router.copyToContainer(context) },
        .init("GET", "/containers/{id}/stats"): { router, context in try await router.containerStats(context) },
        .init("POST", "/containers/prune"): { router, context in try await router.pruneContainers(context) },
        .init("GET", "/events"): { router, context in try await router.streamEvents(context) },
        .init("GET", "/images/{name}/history"): { router, context in try await router.imageHistory(context) },
        .init("POST", "/images/create"): { router, context in try await router.createImage(context) },
        .init("GET", "/images/json"): { router, context in try await router.listImages(context) },
        .init("GET", "/images/{name}/json"): { router, context in try await router.inspectImage(context) },
        .init("POST", "/images/{name}/tag"): { router, context in try await router.tagImage(context) },
        .init("DELETE", "/images/{name}"): { router, context in try await router.removeImage(context) },
        .init("GET", "/images/get"): { router, context in try await router.saveImages(context) },
        .init("GET", "/images/{name}/get"): { router, context in try await router.saveImage(context) },
        .init("POST", "/images/load"): { router, context in try await router.loadImages(context) },
        .init("POST", "/images/prune"): { router, context in try await router.pruneImages(context) },
        .init("POST", "/auth"): { router, context in try await router.login(context) },
        .init("GET", "/system/df"): { router, context in try await router.diskUsage(context) },
        .init("POST", "/build/prune"): { router, context in try await router.pruneBuildCache(context) },
        .init("POST", "/commit"): { router, context in try await router.commitContainer(context) },
    ]

    /// Answers one request. Never throws: every failure is an error response. Each request is
    /// logged at debug level with its status and the time to its response head, as dockerd does.
    public func handle(_ request: EngineRequest) async -> EngineResponse {
        let started = ContinuousClock.now
        let response: EngineResponse
        defer {
            let elapsed = (ContinuousClock.now - started) / .milliseconds(1)
            logger.debug("\(request.method.rawValue) \(request.path): \(response.status.code) in \(String(format: "%.1f", elapsed)) ms")
        }
        do {
            response = try await dispatch(request)
        } catch {
            response = .error(error)
            let line: Logger.Message = "\(request.method.rawValue) \(request.path): \(response.status.code) \(error)"
            switch response.status {
            case .internalServerError: logger.error(line)
            case .notImplemented, .serviceUnavailable: logger.info(line)
            default: logger.debug(line)
            }
        }
        return response.withStandardHeaders(build)
    }

    private func dispatch(_ request: EngineRequest) async throws -> EngineResponse {
        let (version, path) = APIVersion.strippingPrefix(request.path)
        guard let (operation, parameters) = Router.resolve(method: request.method.rawValue, path: path) else {
            throw VICError(.notFound, "page not found")
        }
        if let version {
            try Router.check(version)
        }
        // Container and image routes need a backend that runs containers.
        let served = Router.systemRoutes[operation] != nil || backend is any PortLayerBackend
        guard let handler = handlers[operation], served else {
            throw VICError(.notImplemented, "vic does not implement \(request.method.rawValue) \(path) yet")
        }
        return try await handler(self, RouteContext(request: request, parameters: parameters))
    }

    /// The most specific spec operation for `method` on `path`: most literal segments first,
    /// then fewest parameters.
    static func resolve(method: String, path: String) -> (PathTemplate.Operation, [String: String])? {
        var best: (operation: PathTemplate.Operation, parameters: [String: String])?
        for operation in SpecRoutes.all where operation.method == method {
            guard let parameters = operation.template.match(path) else { continue }
            if let current = best {
                let literals = operation.template.literalCount
                let currentLiterals = current.operation.template.literalCount
                guard literals > currentLiterals
                    || (literals == currentLiterals
                        && operation.template.segments.count < current.operation.template.segments.count)
                else { continue }
            }
            best = (operation, parameters)
        }
        return best
    }

    /// Docker's version middleware: outside `1.24...1.45` is a 400.
    static func check(_ version: APIVersion) throws(VICError) {
        if version > APIVersion.current {
            throw VICError(
                .invalidArgument,
                "client version \(version) is too new. Maximum supported API version is \(EngineBuild.apiVersion)")
        }
        if version < APIVersion.minimum {
            throw VICError(
                .invalidArgument,
                "client version \(version) is too old. Minimum supported API version is "
                    + "\(EngineBuild.minimumAPIVersion), please upgrade your client to a newer version")
        }
    }
}
