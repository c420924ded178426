import Foundation
import VICCore
import VICRuntime

/// Where `docker export` reads a container's files from, and how to let go of it.
public struct ExportSource: Sendable {
    /// The directory holding the container's merged file system.
    public let path: String
    /// A view mounted only for this export, undone by `release()`; nil for the running
    /// container's own root or a single layer, which are read in place.
    let view: String?
    /// The files bind-mounted over the root inside the container, by their path there
    /// (/etc/hostname, /etc/hosts, /etc/resolv.conf) → their path on the host; those written
    /// so far (a container that never started has none). `docker cp` reads these instead.
    public let boundFiles: [String: String]
    /// The container's volumes: mount point inside it → data directory on the host. `docker cp`
    /// reads a path under one from there (`VolumePaths`).
    public let volumes: VolumePaths

    /// Unmounts the view made for the export, if any. Call it once, when the export is done.
    public func release() {
        if let view { RootFilesystem.unmountView(at: view) }
    }
}

extension ContainerManager {
    /// Read-only views mounted for `docker export` start with this.
    static let exportPrefix = ".export-"

    /// Unmounts the export views a crash left behind (`load`).
    func releaseStrayExportViews(_ names: [String]) {
        for name in names where name.hasPrefix(Self.exportPrefix) { RootFilesystem.unmountView(at: "\(root)/\(name)") }
    }

    /// The container's file system for `docker export`: the running container's own root, else
    /// a read-only overlay view of its layers and upper directory (what it deleted stays
    /// deleted). Throws `.notFound` for an unknown container. Privilege: CAP_SYS_ADMIN.
    public func exportSource(_ reference: String) async throws -> ExportSource {
        let record = try record(reference)
        let rootfs = try await rootFilesystem(of: record)
        let bound = boundFiles(record.id)
        if record.state.isRunning && rootfs.isMounted {
            return ExportSource(path: rootfs.mountPoint, view: nil, boundFiles: bound, volumes: VolumePaths(record))
        }
        // Beside the containers, not inside one: a removal during the export renames the
        // container's directory, and `load` unmounts views a crash left behind.
        let view = "\(root)/\(Self.exportPrefix)\(record.shortID)-\(UInt32.random(in: 0...UInt32.max))"
        let path = try rootfs.mountReadOnlyView(at: view)
        return ExportSource(path: path, view: path == view ? view : nil, boundFiles: bound, volumes: VolumePaths(record))
    }

    /// `ExportSource.boundFiles` of a container.
    func boundFiles(_ id: String) -> [String: String] {
        var files: [String: String] = [:]
        for name in OCISpec.boundEtcFiles {
            let host = "\(directory(id))/etc/\(name)"
            if FileManager.default.fileExists(atPath: host) { files["/etc/\(name)"] = host }
        }
        return files
    }
}
