import Foundation
import Logging
import Synchronization
import VICConfig
import VICCore
import VICImage
import VICRuntime
import VICSystem

/// The containers of one VCH: creation, lifecycle, persistence and re-adoption after a restart.
/// One actor owns every record; effects (mounts, namespaces, the runtime) are performed from here
/// and each state change is persisted before the call returns.
public actor ContainerManager {
    let root: String
    let images: ImageService
    let runtime: any OCIRuntime
    let shimPath: String
    let networking: ContainerNetworking
    /// Published ports and bridge networks become rules here (the appliance's nftables table).
    let firewall: any NetworkFirewall
    /// Chooses host ports; nil when the VCH has no public address to publish on.
    let ports: PortAllocator?
    /// Where the next ephemeral-port scan starts, so a port just released is not reused at once.
    var portHint: UInt16 = 0
    /// Runtime state being deleted after an exit, by container: a start waits for it.
    var runtimeReleases: [String: Task<Void, Never>] = [:]
    /// The firewall state last applied; nil before the first.
    var appliedFirewall: FirewallState?
    /// The latest firewall update: the next one waits for it (`applyFirewall`).
    var firewallUpdate: Task<Void, any Error>?
    let logger: Logger
    var records: [String: ContainerRecord] = [:] {
        // No use of oldValue: the dictionary is still modified in place.
        didSet { revision.add(1, ordering: .relaxed) }
    }
    /// Bumped at every change of any record, so readers (the DNS directory) can cache what they
    /// derive from `list()` and rebuild it only after a change. Readable without the actor.
    public nonisolated let revision = Atomic<UInt64>(0)
    var scopes: [String: NetworkScope] = [:]
    /// Resolved at the container's next exit, or at its removal.
    var exitWaiters: [String: [ExitSignal]] = [:]
    /// Resolved at the container's removal.
    var removalWaiters: [String: [ExitSignal]] = [:]
    /// Attaches made before the container started (docker run attaches, then starts).
    var pendingAttaches: [String: [PendingAttach]] = [:]
    /// `docker exec` processes by exec ID, in memory as with Docker (ContainerManager+Exec).
    var execs: [String: ExecRecord] = [:]
    /// The health probe loop of each running container that has a health check.
    var healthChecks: [String: Task<Void, Never>] = [:]
    /// Copy-ups under way, by volume name (`copyUpOnce`).
    var copyUps: [String: Task<Void, any Error>] = [:]
    /// Container events for `docker events`.
    public nonisolated let events = EventLog()
    /// The appliance's side of bridge networks created or removed live (ContainerManager+Networks).
    let bridgeGateways: any BridgeGatewayControl
    /// Where user-defined networks persist, and the bridge range they are cut from.
    let networkStore: NetworkStore
    let bridgeRange: IPv4Network?
    /// Where volumes live (`--volume-store`), and the volumes found there, by name.
    let volumeStores: VolumeStores
    var volumes: [String: Volume] = [:]

    struct PendingAttach {
        var stdin: Bool
        var stdout: Bool
        var stderr: Bool
        var continuation: CheckedContinuation<Int32, any Error>
    }

    /// Opens the port layer: creates `root` (mode 0700) if missing and loads the user networks from
    /// `networks.json` beside it. `scopes` are the builtin ones; the optional seams default to
    /// no-ops (tests). Containers are not read until `load()`.
    public init(root: String, scopes: [NetworkScope], images: ImageService, runtime: any OCIRuntime,
                shimPath: String, networking: ContainerNetworking, firewall: any NetworkFirewall = NoFirewall(),
                ports: PortAllocator? = nil, bridgeGateways: any BridgeGatewayControl = NoBridgeGateways(),
                bridgeRange: IPv4Network? = nil, volumeStores: VolumeStores = VolumeStores(locations: []),
                logger: Logger) throws {
        self.root = root
        self.bridgeGateways = bridgeGateways
        self.bridgeRange = bridgeRange
        self.volumeStores = volumeStores
        self.networkStore = NetworkStore(containersRoot: root)
        self.firewall = firewall
        self.ports = ports
        self.images = images
        self.runtime = runtime
        self.shimPath = shimPath
        self.networking = networking
        self.logger = logger
        for scope in scopes { self.scopes[scope.name] = scope }
        try AtomicFile.makeDirectory(root, mode: 0o700)
        for scope in try networkStore.load() where self.scopes[scope.name] == nil { self.scopes[scope.name] = scope }
        for volume in volumeStores.load() { volumes[volume.name] = volume }
    }

    /// Every network scope, builtin and user, sorted by name.
    public var networkScopes: [NetworkScope] { scopes.values.sorted { $0.name < $1.name } }

    nonisolated func directory(_ id: String) -> String { "\(root)/\(Identifier.short(id))" }

    func shim(_ id: String) -> ShimClient { ShimClient(shim: shimPath, runtime: runtime, directory: directory(id)) }

    // MARK: lookup

    /// By full ID, name (with or without "/"), or unique ID prefix; 404 otherwise.
    public func record(_ reference: String) throws -> ContainerRecord {
        let name = reference.hasPrefix("/") ? String(reference.dropFirst()) : reference
        if let exact = records[reference] { return exact }
        if let byName = records.values.first(where: { $0.name == name }) { return byName }
        let matches = records.values.filter { $0.id.hasPrefix(reference) }
        if matches.count == 1, let match = matches.first { return match }
        if matches.count > 1 { throw VICError(.invalidArgument, "multiple IDs found with provided prefix: \(reference)") }
        throw VICError(.notFound, "No such container: \(reference)")
    }

    /// Every container record, newest first.
    public func list() -> [ContainerRecord] { records.values.sorted { $0.created > $1.created } }

    /// The file the container's shim writes its output log to; throws like `record(_:)`.
    public func logPath(_ reference: String) throws -> String { shim(try record(reference).id).logPath }

    /// Whether any container, running or not, was created from `imageID`.
    public func isImageInUse(_ imageID: String) -> Bool { records.values.contains { $0.imageID == imageID } }

    // MARK: persistence

    /// Records `record` in memory and on disk, atomically (a reader sees the old or the new
    /// record). Only the first save of a container, at create, is synced to disk: a later state
    /// change lost to a power cut is harmless, since after a reboot the container is found
    /// exited anyway, and skipping the fsyncs saves milliseconds on every start and stop.
    func save(_ record: ContainerRecord) throws {
        let isNew = records[record.id] == nil
        records[record.id] = record
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.makeDirectory(directory(record.id), mode: 0o700)
        try AtomicFile.write(try encoder.encode(record), to: "\(directory(record.id))/record.json", mode: 0o600,
                             durability: isNew ? .durable : .atomic)
    }

    /// Reloads every container and re-adopts those still running: their shims kept them alive
    /// while vchd was gone. IP reservations come back with them. What changed meanwhile is
    /// caught up: a container that exited is recorded as exited and restarted if its policy
    /// says so (as is one that was waiting to restart), and a removal that was cut off is
    /// finished.
    public func load() async {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        var unfinishedRemovals: [String] = []
        var restarts: [String] = []
        releaseStrayExportViews(names)
        for name in names where name.hasPrefix(Self.discardedPrefix) {
            try? FileManager.default.removeItem(atPath: "\(root)/\(name)")
        }
        for name in names where !name.hasPrefix(".") {
            guard let data = FileManager.default.contents(atPath: "\(root)/\(name)/record.json"),
                  var record = try? decoder.decode(ContainerRecord.self, from: data) else { continue }
            for endpoint in record.endpoints {
                try? scopes[endpoint.network]?.pool?.reserve(endpoint.address.address, network: endpoint.network)
                if let address6 = endpoint.address6 {
                    try? scopes[endpoint.network]?.pool6?.reserve(address6.address, network: endpoint.network)
                }
            }
            records[record.id] = record
            if record.state.status == .removing { unfinishedRemovals.append(record.id) }
            guard record.state.isRunning else { continue }
            let client = shim(record.id)
            if record.state.status == .running, client.shimPID != nil {
                logger.info("re-adopted running container \(record.shortID) (\(record.name))")
                watch(record.id)
                startHealthChecks(record.id, resetting: false)
                continue
            }
            let wasRestarting = record.state.status == .restarting
            let code = wasRestarting ? record.state.exitCode : client.exitRecord?.code ?? 137
            record.state.exited(code: code, at: wasRestarting ? record.state.finishedAt ?? Date() : Date())
            try? save(record)
            await cleanUpAfterExit(record.id)
            logger.info("container \(record.shortID) exited (\(code)) while vchd was down")
            if wasRestarting || record.host.restartPolicy.shouldRestart(
                exitCode: code, restarts: record.restartCount, stoppedByUser: record.state.stoppedByUser) {
                restarts.append(record.id)
            }
        }
        for id in unfinishedRemovals { try? await remove(id, force: true) }
        await deleteStrayRuntimeStates()
        for id in restarts {
            guard var record = records[id] else { continue }
            record.restartCount += 1
            record.state.status = .restarting
            try? save(record)
            Task { await self.restartAfterPolicy(id) }
        }
    }

    /// Deletes the runtime state of containers that are gone: a removal deletes it in the
    /// background, and vchd may have stopped first.
    func deleteStrayRuntimeStates() async {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runtime.root)) ?? []
        for name in names where Identifier.isFull(name) && records[name] == nil {
            try? await runtime.delete(name, force: true)
        }
    }

    // MARK: create

    /// `docker create`: validates or generates the name, resolves the image from the local store,
    /// merges its config with the request, checks port bindings, reserves an address on each
    /// network and persists `record.json`, then emits a `create` event. Starts nothing and changes
    /// no namespace; throws `.conflict` for a name in use, `.notFound` for an unknown image or network.
    public func create(_ request: ContainerRequest) async throws -> ContainerRecord {
        let name: String
        if let requested = request.name, !requested.isEmpty {
            name = try ContainerNames.validate(requested)
            if let holder = records.values.first(where: { $0.name == name }) {
                throw VICError(.conflict, "Conflict. The container name \"/\(name)\" is already in use by container \"\(holder.id)\". You have to remove (or rename) that container to be able to reuse that name.")
            }
        } else {
            name = ContainerNames.generate(avoiding: Set(records.values.map(\.name)))
        }
        let image = try await images.resolve(request.image)
        let imageConfig = image.configuration.config
        let id = Identifier.random()
        let entrypoint = request.entrypoint ?? imageConfig?.Entrypoint ?? []
        let cmd = request.cmd ?? (request.entrypoint != nil ? [] : imageConfig?.Cmd ?? [])
        guard !(entrypoint + cmd).isEmpty else {
            throw VICError(.invalidArgument, "no command specified")
        }
        var config = ContainerConfig(
            hostname: request.hostname.flatMap { $0.isEmpty ? nil : $0 } ?? Identifier.short(id),
            user: request.user ?? imageConfig?.User ?? "",
            env: Self.mergeEnvironment(imageConfig?.Env ?? [], request.env),
            entrypoint: entrypoint, cmd: cmd,
            workingDir: request.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? imageConfig?.WorkingDir ?? "",
            tty: request.tty, openStdin: request.openStdin, stdinOnce: request.stdinOnce,
            attachStdin: request.attachStdin, attachStdout: request.attachStdout, attachStderr: request.attachStderr,
            labels: (imageConfig?.Labels ?? [:]).merging(request.labels) { $1 },
            exposedPorts: Array(Set((imageConfig?.ExposedPorts.map { Array($0.keys) } ?? []) + request.exposedPorts)).sorted(),
            stopSignal: request.stopSignal ?? imageConfig?.StopSignal)
        config.healthcheck = request.healthcheck?.over(imageConfig?.Healthcheck) ?? imageConfig?.Healthcheck
        config.shell = imageConfig?.Shell
        if let ports { try ports.validate(request.host.portBindings) }
        let (mounts, madeVolumes) = try resolveMounts(request, imageVolumes: (imageConfig?.Volumes?.keys).map(Array.init) ?? [])
        let endpoints: [Endpoint]
        do { endpoints = try reserveEndpoints(for: request) } catch {
            discardVolumes(madeVolumes)
            throw error
        }
        var host = request.host
        host.mounts = mounts
        let record = ContainerRecord(
            id: id, name: name, created: Date(), imageName: request.image, imageID: image.id, config: config,
            host: host, endpoints: endpoints)
        do {
            try save(record)
        } catch {
            try? FileManager.default.removeItem(atPath: directory(id))
            records[id] = nil
            releaseEndpoints(endpoints)
            discardVolumes(madeVolumes)
            throw error
        }
        emit("create", record)
        return record
    }

    /// Docker's default PATH, for images (imported ones, say) that set none.
    static let defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Image environment, overridden variable by variable by the user's, with Docker's default
    /// PATH when neither sets one.
    static func mergeEnvironment(_ image: [String], _ user: [String]) -> [String] {
        func key(_ entry: String) -> Substring { entry.split(separator: "=", maxSplits: 1).first ?? "" }
        let overridden = Set(user.map(key))
        let merged = image.filter { !overridden.contains(key($0)) } + user
        return merged.contains { key($0) == "PATH" } ? merged : [Self.defaultPath] + merged
    }
}
