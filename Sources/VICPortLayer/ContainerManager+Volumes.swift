import Foundation
import VICConfig
import VICCore
import VICRuntime
import VICSystem

/// Volumes: `docker volume create/ls/inspect/rm/prune`, and the mounts of containers. The
/// volumes live in `volumeStores`; this actor keeps the index and serialises every change, so a
/// volume cannot be removed while a container is being created on it.
extension ContainerManager {
    /// `docker volume create`: a new volume in `store` (else the default store). An existing
    /// volume of that name is returned as it is, as Docker does, unless another store was asked for.
    public func createVolume(name: String?, store: String?, labels: [String: String], options: [String: String])
        throws -> Volume {
        let name = name.flatMap { $0.isEmpty ? nil : $0 }
        if let name {
            try Volume.validate(name: name)
            if let existing = volumes[name] {
                if let store, store != existing.store {
                    throw VICError(.conflict, "volume \(name) already exists in store \(existing.store)")
                }
                return existing
            }
        }
        return try makeVolume(name: name ?? Identifier.random(), store: store ?? VolumeStoreLocation.defaultLabel,
                              labels: labels, options: options, anonymous: false)
    }

    func makeVolume(name: String, store: String, labels: [String: String], options: [String: String],
                    anonymous: Bool) throws -> Volume {
        let volume = Volume(name: name, store: store, labels: labels, options: options,
                            created: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)), anonymous: anonymous)
        try volumeStores.create(volume)
        volumes[name] = volume
        events.emit(EventRecord(type: "volume", action: "create", actorID: name, attributes: ["driver": "local"]))
        return volume
    }

    /// Every volume, by name.
    public func volumeList() -> [Volume] { volumes.values.sorted { $0.name < $1.name } }

    /// One volume; Docker's 404 otherwise.
    public func volume(_ name: String) throws -> Volume {
        guard let volume = volumes[name] else { throw VICError(.notFound, "get \(name): no such volume") }
        return volume
    }

    /// Where the volume's data is on the host (its `Mountpoint`).
    public func volumePath(_ volume: Volume) -> String { (try? volumeStores.dataPath(of: volume)) ?? "" }

    /// A volume as `volume ls` and `system df` show it: where its data is, and the IDs of the
    /// containers, running or not, that mount it.
    public struct Listing: Sendable {
        public var volume: Volume
        public var path: String
        public var users: [String]
    }

    /// Every volume, by name, with its data path and users: one pass over the containers for all.
    public func volumeListing() -> [Listing] {
        var users: [String: Set<String>] = [:]
        for record in records.values {
            for mount in record.host.mounts where mount.kind == .volume { users[mount.volume, default: []].insert(record.id) }
        }
        return volumeList().map { Listing(volume: $0, path: volumePath($0), users: (users[$0.name] ?? []).sorted()) }
    }

    /// The IDs of the containers, running or not, that mount the volume.
    func volumeUsers(_ name: String) -> [String] {
        records.values.filter { $0.host.mounts.contains { $0.kind == .volume && $0.volume == name } }.map(\.id).sorted()
    }

    /// `docker volume rm`: refused (409) while any container mounts it; `force` makes a missing
    /// volume no error, as Docker's does, but does not remove a volume in use.
    public func removeVolume(_ name: String, force: Bool) throws {
        guard let volume = volumes[name] else {
            if force { return }
            throw VICError(.notFound, "get \(name): no such volume")
        }
        let users = volumeUsers(name)
        guard users.isEmpty else {
            throw VICError(.conflict, "remove \(name): volume is in use - [\(users.joined(separator: ", "))]")
        }
        try volumeStores.remove(volume)
        volumes[name] = nil
        events.emit(EventRecord(type: "volume", action: "destroy", actorID: name, attributes: ["driver": "local"]))
    }

    /// `docker volume prune`: the unused volumes that pass `keep`, anonymous ones only unless
    /// `all`. Returns the names removed and the bytes they held.
    public func pruneVolumes(all: Bool, where keep: @Sendable (Volume) -> Bool) -> (names: [String], bytes: Int64) {
        var names: [String] = []
        var bytes: Int64 = 0
        for volume in volumeList() where (all || volume.anonymous) && keep(volume) && volumeUsers(volume.name).isEmpty {
            let size = volumeStores.size(of: volume)
            guard (try? removeVolume(volume.name, force: false)) != nil else { continue }
            names.append(volume.name)
            bytes += size
        }
        return (names, bytes)
    }

    // MARK: containers

    /// The mounts of a new container: `--volumes-from` first (their volumes, `:ro` making them
    /// read-only), then the user's `-v`/`--mount`/`--tmpfs` (which win on the same destination),
    /// then an anonymous volume for each of the image's `VOLUME`s left, when there is a default
    /// store (without one they stay in the container's file system, as before vic had volumes).
    /// Named volumes that do not exist are made in the default store. Returns the mounts and
    /// the volumes it made, which the caller removes if the create fails later.
    func resolveMounts(_ request: ContainerRequest, imageVolumes: [String]) throws -> (mounts: [ContainerMount], made: [Volume]) {
        var mounts: [ContainerMount] = []
        var made: [Volume] = []
        do {
            // By destination, in the order first given; a later mount replaces an earlier one.
            var wanted: [String: ContainerMount] = [:]
            var order: [String] = []
            func add(_ mount: ContainerMount) {
                if wanted[mount.destination] == nil { order.append(mount.destination) }
                wanted[mount.destination] = mount
            }
            for spec in request.volumesFrom {
                for mount in try mountsFrom(spec) { add(mount) }
            }
            var seen: Set<String> = []
            for asked in request.mounts {
                let destination = try ContainerMount.cleanDestination(asked.destination)
                guard seen.insert(destination).inserted else {
                    throw VICError(.invalidArgument, "Duplicate mount point: \(destination)")
                }
                var mount = ContainerMount(kind: asked.kind, destination: destination, readOnly: asked.readOnly,
                                           noCopy: asked.noCopy, tmpfsOptions: asked.tmpfsOptions)
                if asked.kind == .volume {
                    let volume = try volumeFor(asked.source, labels: asked.labels, made: &made)
                    mount.volume = volume.name
                    mount.source = try volumeStores.dataPath(of: volume)
                }
                add(mount)
            }
            if volumeStores.locations.contains(where: { $0.label == VolumeStoreLocation.defaultLabel }) {
                for path in imageVolumes {
                    guard let destination = try? ContainerMount.cleanDestination(path), wanted[destination] == nil else { continue }
                    let volume = try volumeFor(nil, labels: [:], made: &made)
                    add(ContainerMount(kind: .volume, destination: destination, volume: volume.name,
                                       source: try volumeStores.dataPath(of: volume)))
                }
            }
            mounts = order.compactMap { wanted[$0] }
        } catch {
            discardVolumes(made)
            throw error
        }
        return (mounts, made)
    }

    /// The named volume (made in the default store when missing), or a new anonymous one.
    func volumeFor(_ name: String?, labels: [String: String], made: inout [Volume]) throws -> Volume {
        if let name, let existing = volumes[name] { return existing }
        if let name { try Volume.validate(name: name) }
        let volume = try makeVolume(name: name ?? Identifier.random(), store: VolumeStoreLocation.defaultLabel,
                                    labels: labels, options: [:], anonymous: name == nil)
        made.append(volume)
        return volume
    }

    /// `--volumes-from CONTAINER[:ro|:rw]`: that container's volume mounts (not its tmpfs).
    func mountsFrom(_ spec: String) throws -> [ContainerMount] {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let reference = parts.first, !reference.isEmpty, parts.count <= 2 else {
            throw VICError(.invalidArgument, "invalid --volumes-from \(spec): use CONTAINER[:ro|:rw]")
        }
        let mode = parts.count == 2 ? parts[1] : ""
        guard ["", "ro", "rw"].contains(mode) else {
            throw VICError(.invalidArgument, "invalid mode for volumes-from: \(mode)")
        }
        return try record(reference).host.mounts.filter { $0.kind == .volume }.map { mount in
            var copy = mount
            if mode == "ro" { copy.readOnly = true } else if mode == "rw" { copy.readOnly = false }
            return copy
        }
    }

    /// Removes volumes made for a create that failed.
    func discardVolumes(_ made: [Volume]) {
        for volume in made {
            try? volumeStores.remove(volume)
            volumes[volume.name] = nil
        }
    }

    /// The anonymous volumes of a removed container that no other container mounts
    /// (`docker rm -v`, and `--rm`).
    func removeAnonymousVolumes(of record: ContainerRecord) {
        for mount in record.host.mounts where mount.kind == .volume {
            guard let volume = volumes[mount.volume], volume.anonymous else { continue }
            do { try removeVolume(volume.name, force: true) } catch {
                logger.warning("remove: volume \(volume.name) of \(record.shortID) stays: \(error)")
            }
        }
    }

    /// The runtime's mounts for the container's volumes and tmpfs, in its order. A volume that is
    /// empty gets the image's files at its destination first, unless the mount is `nocopy`
    /// (`copyUp`), as dockerd does for every container it mounts an empty volume into.
    func runtimeMounts(_ record: ContainerRecord, rootfs: String) async throws -> [OCISpec.Mount] {
        var result: [OCISpec.Mount] = []
        for mount in record.host.mounts {
            switch mount.kind {
            case .tmpfs:
                result.append(OCISpec.Mount(destination: mount.destination, type: "tmpfs", source: "tmpfs",
                                            options: mount.tmpfsOptions))
            case .volume:
                guard let volume = volumes[mount.volume] else {
                    throw VICError(.notFound, "volume \(mount.volume) mounted at \(mount.destination) no longer exists")
                }
                let data = try volumeStores.dataPath(of: volume)
                if !mount.noCopy { try await copyUpOnce(volume.name, from: rootfs, path: mount.destination, into: data) }
                result.append(OCISpec.Mount(destination: mount.destination, type: "bind", source: data,
                                            options: ["rbind", "rprivate"] + (mount.readOnly ? ["ro"] : [])))
            }
        }
        return result
    }

    /// Docker's copy-up, one at a time per volume (a start waits for another's copy into the
    /// same volume, then finds it no longer empty).
    func copyUpOnce(_ name: String, from rootfs: String, path: String, into data: String) async throws {
        while let running = copyUps[name] { _ = try? await running.value }
        let task = Task.detached { try await Self.copyUp(from: rootfs, path: path, into: data) }
        copyUps[name] = task
        defer { copyUps[name] = nil }
        try await task.value
    }

    /// Docker's copy-up: when the volume directory `data` is empty, the image's directory at
    /// `path` (inside `rootfs`) is copied in, contents, owners and modes. Nothing when the image
    /// has no directory there.
    ///
    /// A container may already have the volume mounted and plant links in it, so nothing is
    /// written through `data`'s names: `cp -a` fills a staging directory beside `data` that no
    /// container sees, read through the container's root so an image's links cannot lead out,
    /// and its entries are then renamed into `data` (a rename replaces a name, never follows
    /// it). An entry whose name a container took meanwhile stays the container's.
    static func copyUp(from rootfs: String, path: String, into data: String) async throws {
        guard (try? FileManager.default.contentsOfDirectory(atPath: data))?.isEmpty == true else { return }
        let root = try ScopedDirectory(path: rootfs)
        let source: Int32
        do { source = try root.open(path, flags: O_RDONLY | O_DIRECTORY) } catch let error as VICError where error.code == .notFound {
            return
        }
        defer { close(source) }
        let staging = (data as NSString).deletingLastPathComponent + "/.copy-up-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let copy = try await Command.run("/bin/cp", ["-a", "--", "/proc/\(getpid())/fd/\(source)/.", staging])
        guard copy.succeeded else {
            throw VICError(.internal, "copy the image's \(path) into its volume: \(copy.standardError.trimmingWhitespace())")
        }
        let from = Glibc.open(staging, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        let into = Glibc.open(data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        defer { if from >= 0 { close(from) }; if into >= 0 { close(into) } }
        guard from >= 0, into >= 0 else { throw VICError(.internal, "copy-up into \(data): \(String(cString: strerror(errno)))") }
        var info = stat()
        if fstat(from, &info) == 0 {
            _ = fchown(into, info.st_uid, info.st_gid)
            _ = fchmod(into, info.st_mode & 0o7777)
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? [] {
            // Never over a name a container took meanwhile (it fails with EEXIST then).
            _ = FileSystem.moveWithoutReplacing(name, from: from, into: into)
        }
    }
}
