import Foundation
import NIOPosix
import VICCore
import VICPortLayer
import VICSystem

/// `/volumes`: create, list, inspect, remove and prune. The volumes are the port layer's
/// (`ContainerManager+Volumes`); these routes decode, filter and encode.
extension Router {
    /// `POST /volumes/create` → 201 with the volume. Drivers `local` (and VIC's `vsphere`) only;
    /// the one option is VIC's `VolumeStore`, which picks the store by label.
    func createVolume(_ context: RouteContext) async throws -> EngineResponse {
        struct Body: Decodable {
            var Name: String?
            var Driver: String?
            var DriverOpts: [String: String]?
            var Labels: [String: String]?
        }
        let body = context.request.body.isEmpty ? Body() : try decodeBody(Body.self, context.request)
        let driver = body.Driver ?? ""
        guard ["", "local", "vsphere"].contains(driver) else {
            throw VICError(.invalidArgument, "volume driver \(driver) is not supported: vic keeps volumes in its volume stores (driver local)")
        }
        var store: String?
        for (key, value) in body.DriverOpts ?? [:] {
            guard key.lowercased() == "volumestore" else {
                throw VICError(.invalidArgument, "volume option \(key) is not supported: vic takes VolumeStore=LABEL only (its volumes are directories, without a fixed capacity)")
            }
            store = value
        }
        let containers = try portLayer().containers
        let volume = try await containers.createVolume(
            name: body.Name, store: store, labels: body.Labels ?? [:], options: store.map { ["VolumeStore": $0] } ?? [:])
        return .json(DockerVolume(volume, mountpoint: await containers.volumePath(volume)), status: .created)
    }

    /// `GET /volumes?filters=…`: `name` (a substring or expression), `label`, `driver` and
    /// `dangling` (no container mounts it).
    func listVolumes(_ context: RouteContext) async throws -> EngineResponse {
        let filters = try FilterArguments(json: context.request.queryValue("filters"))
        try filters.validate(accepting: ["name", "label", "driver", "dangling"])
        let dangling = try filters.bool("dangling")
        let selected = try await portLayer().containers.volumeListing().filter { row in
            if filters.contains("name"), !filters.match("name", row.volume.name) { return false }
            if filters.contains("label"), !filters.matchLabels("label", row.volume.labels) { return false }
            if filters.contains("driver"), !filters.exactMatch("driver", "local") { return false }
            if let dangling, row.users.isEmpty != dangling { return false }
            return true
        }.map { DockerVolume($0.volume, mountpoint: $0.path) }
        struct List: Encodable {
            var Volumes: [DockerVolume]
            var Warnings = ExplicitNull<[String]>(nil)
        }
        return .json(List(Volumes: selected))
    }

    /// `GET /volumes/{name}`; Docker's 404 for an unknown one, so `docker inspect NAME` moves on.
    func inspectVolume(_ context: RouteContext) async throws -> EngineResponse {
        let containers = try portLayer().containers
        let volume = try await containers.volume(try volumeName(context))
        return .json(DockerVolume(volume, mountpoint: await containers.volumePath(volume)))
    }

    /// `DELETE /volumes/{name}?force=` → 204; 409 while a container mounts it.
    func removeVolume(_ context: RouteContext) async throws -> EngineResponse {
        try await portLayer().containers.removeVolume(try volumeName(context), force: context.request.queryFlag("force"))
        return Router.noContent
    }

    /// `POST /volumes/prune?filters=…`: unused anonymous volumes, or every unused one with
    /// `all=true`; `label` and `label!` narrow it.
    func pruneVolumes(_ context: RouteContext) async throws -> EngineResponse {
        let filters = try FilterArguments(json: context.request.queryValue("filters"))
        try filters.validate(accepting: ["label", "label!", "all"])
        let all = try filters.bool("all") ?? false
        let containers = try portLayer().containers
        let (names, bytes) = await containers.pruneVolumes(all: all) { volume in
            if filters.contains("label"), !filters.matchLabels("label", volume.labels) { return false }
            if filters.contains("label!"), filters.matchLabels("label!", volume.labels) { return false }
            return true
        }
        struct Pruned: Encodable {
            var VolumesDeleted: [String]
            var SpaceReclaimed: Int64
        }
        return .json(Pruned(VolumesDeleted: names, SpaceReclaimed: bytes))
    }

    /// `system df`'s volumes: each with its bytes (read off the disk on the thread pool) and
    /// the number of containers that mount it.
    func volumeUsage() async throws -> [DockerVolume] {
        let rows = try await portLayer().containers.volumeListing()
        return try await NIOThreadPool.singleton.runIfActive {
            rows.map { row in
                var volume = DockerVolume(row.volume, mountpoint: row.path)
                volume.UsageData = .init(Size: FileSystem.regularFileBytes(under: row.path), RefCount: row.users.count)
                return volume
            }
        }
    }

    func volumeName(_ context: RouteContext) throws -> String {
        guard let name = context.parameters["name"], !name.isEmpty else {
            throw VICError(.invalidArgument, "volume name is required")
        }
        return name
    }
}

/// Docker's volume shape (`docker volume inspect`).
struct DockerVolume: Encodable, Sendable {
    struct Usage: Encodable, Sendable {
        var Size: Int64
        var RefCount: Int
    }

    var Name: String
    var Driver = "local"
    var Mountpoint: String
    var CreatedAt: String
    var Labels: ExplicitNull<[String: String]>
    var Scope = "local"
    var Options: ExplicitNull<[String: String]>
    var UsageData: Usage?

    init(_ volume: Volume, mountpoint: String) {
        Name = volume.name
        Mountpoint = mountpoint
        CreatedAt = RFC3339.nano(volume.created)
        Labels = ExplicitNull(volume.labels.isEmpty ? nil : volume.labels)
        Options = ExplicitNull(volume.options.isEmpty ? nil : volume.options)
    }
}

extension Router {
    /// vic runs no plugins: every name is Docker's 404, which `docker inspect NAME` skips.
    func inspectPlugin(_ context: RouteContext) async throws -> EngineResponse {
        let name = context.parameters["name"] ?? ""
        throw VICError(.notFound, "plugin \"\(name)\" not found")
    }
}
