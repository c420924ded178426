import Foundation
import VICCore
import VICImage
import VICRuntime
import VICSystem

/// Where `docker cp` writes into a container: its merged root, mounted for the copy when the
/// container is not running. Hand it back with `ContainerManager.releaseCopyTarget(_:)`.
public struct CopyTarget: Sendable {
    /// The container's full ID.
    public let id: String
    /// The directory holding the container's merged file system, writable.
    public let path: String
    /// Whether the copy mounted it (the container was not running).
    let mountedForCopy: Bool
    /// The container's volumes, where a copy under their mount points goes.
    public let volumes: VolumePaths
}

/// A container's volume mount points and their data directories on the host, for `docker cp`:
/// the container's root does not show its volumes outside the container's own mount namespace.
public struct VolumePaths: Sendable {
    struct Entry: Sendable {
        var destination: [String]
        var source: String
        var readOnly: Bool
    }

    let entries: [Entry]

    /// The volume mounts of `record`.
    public init(_ record: ContainerRecord) {
        entries = record.host.mounts.filter { $0.kind == .volume }.map {
            Entry(destination: ScopedDirectory.components($0.destination), source: $0.source, readOnly: $0.readOnly)
        }
    }

    /// Where `path` (inside the container) is: under the deepest volume mount point that holds
    /// it, the volume's data directory and the path inside it (a trailing "/" or "/." kept, as
    /// they mean "the directory itself"); nil when it is in the container's own root. Paths
    /// are taken lexically, as `ScopedDirectory.components` takes them.
    public func locate(_ path: String) -> (root: String, path: String, readOnly: Bool)? {
        let parts = ScopedDirectory.components(path)
        guard let entry = entries.filter({ parts.starts(with: $0.destination) }).max(by: { $0.destination.count < $1.destination.count })
        else { return nil }
        let rest = parts.dropFirst(entry.destination.count)
        var inner = "/" + rest.joined(separator: "/")
        if path.hasSuffix("/.") { inner += rest.isEmpty ? "." : "/." } else if path.hasSuffix("/") && !rest.isEmpty { inner += "/" }
        return (entry.source, inner, entry.readOnly)
    }
}

extension ContainerManager {
    /// The container's root for writing (`docker cp` into it): the running container's own, or
    /// its overlay mounted as a start mounts it. A start meanwhile finds it mounted and uses it;
    /// an exit meanwhile detaches it, and the copy's open descriptors keep working on it.
    /// Throws `.notFound` for an unknown container. Privilege: CAP_SYS_ADMIN.
    public func copyTarget(_ reference: String) async throws -> CopyTarget {
        let record = try record(reference)
        let rootfs = try await rootFilesystem(of: record)
        if record.state.isRunning && rootfs.isMounted {
            return CopyTarget(id: record.id, path: rootfs.mountPoint, mountedForCopy: false, volumes: VolumePaths(record))
        }
        try rootfs.mount()
        return CopyTarget(id: record.id, path: rootfs.mountPoint, mountedForCopy: true, volumes: VolumePaths(record))
    }

    /// Unmounts (lazily) a root that `copyTarget` mounted, unless the container runs now.
    public func releaseCopyTarget(_ target: CopyTarget) {
        guard target.mountedForCopy, let record = records[target.id], !record.state.isRunning else { return }
        try? RootFilesystem(directory: directory(target.id), layers: []).unmount()
    }

    /// The numeric owner and group of the container's configured user (`docker cp -a`), read
    /// from the container's /etc/passwd and /etc/group at `rootfs` when given by name.
    public func copyOwner(_ reference: String, rootfs: String) throws -> ArchiveExtractor.Options.Owner {
        let record = try record(reference)
        let (uid, gid) = try ContainerFiles.resolveUser(record.config.user, rootfs: rootfs)
        return .init(uid: uid, gid: gid)
    }

    /// The container's root file system (its layers and upper directory), for `docker diff`
    /// to read off the actor. Throws `.notFound` for an unknown container.
    public func rootFilesystem(_ reference: String) async throws -> RootFilesystem {
        try await rootFilesystem(of: try record(reference))
    }

    /// The container's own layer alone (its upper directory; no image layers, nothing read),
    /// for the bytes it wrote. Callable off the actor.
    public nonisolated func writableLayer(_ id: String) -> RootFilesystem {
        RootFilesystem(directory: directory(id), layers: [])
    }

    /// The record's root file system: its image's unpacked layers (`image` when the caller has
    /// it already, else resolved) under its own directory. Throws `.notFound` when the image is
    /// gone.
    func rootFilesystem(of record: ContainerRecord, image: ImageRecord? = nil) async throws -> RootFilesystem {
        let resolved: ImageRecord
        if let image { resolved = image } else { resolved = try await images.resolve(record.imageID) }
        return RootFilesystem(directory: directory(record.id), layers: try await images.layerDirectories(of: resolved))
    }

    /// Records a `docker cp` in the event stream, as dockerd does: `archive-path` for a copy
    /// out of the container, `extract-to-dir` for one into it.
    public func emitCopy(_ action: String, reference: String) {
        guard let record = try? record(reference) else { return }
        emit(action, record)
    }
}
