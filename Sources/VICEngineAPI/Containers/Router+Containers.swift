import Foundation
import NIOHTTP1
import VICCore
import VICPortLayer
import VICSystem

extension Router {
    /// The port-layer services, or 501 when this backend runs no containers.
    func portLayer() throws -> any PortLayerBackend {
        guard let backend = backend as? any PortLayerBackend else {
            throw VICError(.notImplemented, "this backend does not run containers")
        }
        return backend
    }

    func decodeBody<T: Decodable>(_ type: T.Type, _ request: EngineRequest) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(request.body.isEmpty ? Array("{}".utf8) : request.body)) } catch {
            throw VICError(.invalidArgument, "invalid JSON body: \(error)")
        }
    }

    func containerID(_ context: RouteContext) throws -> String {
        guard let id = context.parameters["id"], !id.isEmpty else {
            throw VICError(.invalidArgument, "container name or ID is required")
        }
        return id
    }

    static let noContent = EngineResponse(status: .noContent)
    static let notModified = EngineResponse(status: .notModified)

    func createContainer(_ context: RouteContext) async throws -> EngineResponse {
        let body = try decodeBody(DockerContainerCreate.self, context.request)
        guard let image = body.Image, !image.isEmpty else { throw VICError(.invalidArgument, "config cannot be empty in order to create a container") }
        let request = try ContainerRequestMapping.request(body, name: context.request.queryValue("name"))
        let backend = try portLayer()
        let record = try await backend.containers.create(request)
        // The image's VOLUMEs become anonymous volumes when the VCH has a default volume store;
        // without one they stay in the container's file system: say so.
        var warnings: [String] = []
        let mounted = Set(record.host.mounts.map(\.destination))
        let volumes = (try? await backend.images.resolve(record.imageID).configuration.config?.Volumes?.keys.sorted()) ?? []
        let unmounted = volumes.filter { !mounted.contains((try? ContainerMount.cleanDestination($0)) ?? $0) }
        if !unmounted.isEmpty {
            warnings.append("vic keeps the image's volumes (\(unmounted.joined(separator: ", "))) in the container's own file system: the VCH has no default volume store (vic-machine create --volume-store DIR:default)")
        }
        if record.host.limits.oomKillDisable == true && record.host.memoryBytes == nil {
            warnings.append("OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.")
        }
        struct Created: Encodable { var Id: String; var Warnings: [String] }
        return .json(Created(Id: record.id, Warnings: warnings), status: .created)
    }

    func listContainers(_ context: RouteContext) async throws -> EngineResponse {
        let filters = try FilterArguments(json: context.request.queryValue("filters"))
        try filters.validate(accepting: ContainerListFilter.acceptedKeys)
        let all = context.request.queryFlag("all")
        var records = try await portLayer().containers.list()
        // As dockerd: only running ones unless `all`, or a `status` filter, which implies it.
        if !all && !filters.contains("status") { records = records.filter { $0.state.isRunning } }
        records = try ContainerListFilter.apply(filters, to: records)
        if let limit = context.request.queryValue("limit").flatMap(Int.init), limit > 0 {
            records = Array(records.prefix(limit))
        }
        if context.request.queryFlag("size") {
            let images = try await portLayer().images.list().map { ContainerWireMapping.imageSummary($0, containers: 0) }
            return .json(try await containerSizes(records, images: images))
        }
        return .json(records.map(ContainerWireMapping.summary))
    }

    func inspectContainer(_ context: RouteContext) async throws -> EngineResponse {
        let containers = try portLayer().containers
        let record = try await containers.record(try containerID(context))
        let log = try await containers.logPath(record.id)
        return .json(ContainerWireMapping.inspect(record, logPath: log, directory: (log as NSString).deletingLastPathComponent))
    }

    func startContainer(_ context: RouteContext) async throws -> EngineResponse {
        let containers = try portLayer().containers
        let record = try await containers.record(try containerID(context))
        if record.state.isRunning { return Router.notModified }
        try await containers.start(record.id)
        return Router.noContent
    }

    func stopContainer(_ context: RouteContext) async throws -> EngineResponse {
        let timeout = context.request.queryValue("t").flatMap(Int.init)
        let stopped = try await portLayer().containers.stop(try containerID(context), timeout: timeout)
        return stopped ? Router.noContent : Router.notModified
    }

    func restartContainer(_ context: RouteContext) async throws -> EngineResponse {
        let timeout = context.request.queryValue("t").flatMap(Int.init)
        try await portLayer().containers.restart(try containerID(context), timeout: timeout)
        return Router.noContent
    }

    func killContainer(_ context: RouteContext) async throws -> EngineResponse {
        let text = context.request.queryValue("signal") ?? "SIGKILL"
        guard let signal = Signals.number(text) else { throw VICError(.invalidArgument, "Invalid signal: \(text)") }
        try await portLayer().containers.kill(try containerID(context), signal: signal)
        return Router.noContent
    }

    func pauseContainer(_ context: RouteContext) async throws -> EngineResponse {
        try await portLayer().containers.pause(try containerID(context))
        return Router.noContent
    }

    func unpauseContainer(_ context: RouteContext) async throws -> EngineResponse {
        try await portLayer().containers.unpause(try containerID(context))
        return Router.noContent
    }

    func removeContainer(_ context: RouteContext) async throws -> EngineResponse {
        let force = context.request.queryFlag("force")
        try await portLayer().containers.remove(try containerID(context), force: force,
                                                removeVolumes: context.request.queryFlag("v"))
        return Router.noContent
    }

    func renameContainer(_ context: RouteContext) async throws -> EngineResponse {
        guard let name = context.request.queryValue("name"), !name.isEmpty else {
            throw VICError(.invalidArgument, "new name is required")
        }
        try await portLayer().containers.rename(try containerID(context), to: name)
        return Router.noContent
    }

    /// The `h` and `w` query values of a resize request (container or exec).
    func terminalSize(_ context: RouteContext) throws -> (height: Int, width: Int) {
        guard let height = context.request.queryValue("h").flatMap(Int.init),
              let width = context.request.queryValue("w").flatMap(Int.init) else {
            throw VICError(.invalidArgument, "h and w are required")
        }
        return (height, width)
    }

    func resizeContainer(_ context: RouteContext) async throws -> EngineResponse {
        let (height, width) = try terminalSize(context)
        try await portLayer().containers.resize(try containerID(context), height: height, width: width)
        return EngineResponse(status: .ok)
    }

    /// Headers go out at once; the body when the condition holds (Docker's wait contract).
    func waitContainer(_ context: RouteContext) async throws -> EngineResponse {
        let text = context.request.queryValue("condition") ?? "not-running"
        guard let condition = ContainerManager.WaitCondition(rawValue: text.isEmpty ? "not-running" : text) else {
            throw VICError(.invalidArgument, "invalid condition: \"\(text)\"")
        }
        // Registered before the headers go out: a 404 is still possible, a lost exit is not.
        let signal = try await portLayer().containers.beginWait(try containerID(context), condition: condition)
        let stream = AsyncThrowingStream<[UInt8], any Error> { continuation in
            let task = Task {
                let code = await signal.code()
                continuation.yield(Array(#"{"Error":null,"StatusCode":\#(code)}"#.utf8) + [0x0a])
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return .streaming(headers: ["Content-Type": "application/json"], stream)
    }

    /// Hands the connection to the container's shim: raw with a TTY, multiplexed otherwise.
    /// docker run attaches before it starts the container, so the answer goes out at once and the
    /// shim is joined when the container starts (through a socket pair spliced to the shim).
    func attachContainer(_ context: RouteContext) async throws -> EngineResponse {
        let containers = try portLayer().containers
        let record = try await containers.record(try containerID(context))
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw VICError(.internal, "attach: socketpair failed (errno \(errno))")
        }
        let (stdin, stdout, stderr) = (context.request.queryFlag("stdin"), context.request.queryFlag("stdout"), context.request.queryFlag("stderr"))
        let escape: [UInt8]
        do { escape = try DetachKeys.parse(context.request.queryValue("detachKeys")) } catch {
            close(pair[0])
            close(pair[1])
            throw error
        }
        let inner = pair[1]
        Task {
            do {
                let shim = try await containers.attachSocket(record.id, stdin: stdin, stdout: stdout, stderr: stderr)
                // The detach keys end the attach without stopping the container.
                SocketSplice.relay(inner, shim, escape: stdin ? escape : nil)
            } catch {
                close(inner)
            }
        }
        let type = record.config.tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream"
        return .hijacked(Hijack(socket: pair[0], contentType: type))
    }
}

/// Signal names and numbers as `docker kill --signal` sends them.
enum Signals {
    static let table: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "BUS": 7, "FPE": 8, "KILL": 9, "USR1": 10,
        "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17, "CONT": 18,
        "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25, "VTALRM": 26,
        "PROF": 27, "WINCH": 28, "IO": 29, "PWR": 30, "SYS": 31,
    ]

    static func number(_ text: String) -> Int32? {
        if let number = Int32(text), (1...64).contains(number) { return number }
        let upper = text.uppercased()
        return table[upper.hasPrefix("SIG") ? String(upper.dropFirst(3)) : upper]
    }
}
