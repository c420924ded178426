import Foundation
import Glibc
import VICCore
import VICImage
import VICPortLayer
import VICSystem

/// `docker cp`: `HEAD`, `GET` and `PUT /containers/{id}/archive`. Paths are resolved inside the
/// container's root (`ScopedDirectory`), whether it runs or not, so its links never lead onto
/// the host. tar reads the directory it is given through a descriptor, never by a path the
/// container could change.
extension Router {
    static let pathStatHeader = "X-Docker-Container-Path-Stat"

    /// `HEAD`: the path's stat in the `X-Docker-Container-Path-Stat` header (the CLI asks
    /// before it copies into a container, and for `-L`).
    func statContainerPath(_ context: RouteContext) async throws -> EngineResponse {
        let (reference, path) = try copyParameters(context)
        let source = try await portLayer().containers.exportSource(reference)
        defer { source.release() }
        let origin = try CopyOrigin(path, from: source, container: reference)
        close(origin.directory)
        return EngineResponse(status: .ok, headers: [Router.pathStatHeader: try origin.stat.headerValue()])
    }

    /// `GET`: the path as a tar stream, its entries named from the path's last component as
    /// dockerd names them; its stat in the header.
    func copyFromContainer(_ context: RouteContext) async throws -> EngineResponse {
        let (reference, path) = try copyParameters(context)
        let containers = try portLayer().containers
        let source = try await containers.exportSource(reference)
        let origin: CopyOrigin
        let header: String
        do {
            origin = try CopyOrigin(path, from: source, container: reference)
            header = try origin.stat.headerValue()
        } catch {
            source.release()
            throw error
        }
        let directory = origin.directory
        let tar: TarStream
        do {
            tar = try TarStream(directory: "/proc/\(getpid())/fd/\(directory)", members: [origin.member], rename: origin.rename) {
                close(directory)
                source.release()
            }
        } catch {
            close(directory)
            source.release()
            throw error
        }
        await containers.emitCopy("archive-path", reference: reference)
        let body = AsyncThrowingStream<[UInt8], any Error>(unfolding: { try await tar.next() })
        return .streaming(headers: ["Content-Type": "application/x-tar", Router.pathStatHeader: header], body)
    }

    /// `PUT`: extracts the tar in the body (plain or gzip) into `path`, an existing directory;
    /// `noOverwriteDirNonDir` and `copyUIDGID` as dockerd reads them. A container that is not
    /// running is mounted for the copy.
    func copyToContainer(_ context: RouteContext) async throws -> EngineResponse {
        let (reference, path) = try copyParameters(context)
        let backend = try portLayer()
        let target = try await backend.containers.copyTarget(reference)
        do {
            // Under a volume's mount point, the copy goes into the volume.
            let volume = target.volumes.locate(path)
            if volume?.readOnly == true { throw VICError(.invalidArgument, "mounted volume is marked read-only") }
            let root = try ScopedDirectory(path: volume?.root ?? target.path)
            let path = volume?.path ?? path
            let destination = try ContainerPathStat.notFoundAsFileError(path, reference) {
                do { return try root.open(path, flags: ScopedDirectory.pathOnly | O_DIRECTORY) } catch let error as VICError where error.code == .notFound {
                    // There, but not a directory: dockerd's words.
                    if let other = try? root.open(path, flags: ScopedDirectory.pathOnly) {
                        close(other)
                        throw VICError(.invalidArgument, "extraction point is not a directory")
                    }
                    throw error
                }
            }
            close(destination)
            let owner = context.request.queryFlag("copyUIDGID")
                ? try await backend.containers.copyOwner(reference, rootfs: target.path) : nil
            let extractor = ArchiveExtractor(
                root: root, destination: path,
                options: .init(noOverwriteDirNonDir: context.request.queryFlag("noOverwriteDirNonDir"), owner: owner))
            let count = try await stagingBody(context.request) { source in try extractor.extract(source) }
            logger.debug("docker cp: \(count) entries into \(reference):\(path)")
        } catch {
            await backend.containers.releaseCopyTarget(target)
            throw error
        }
        await backend.containers.releaseCopyTarget(target)
        await backend.containers.emitCopy("extract-to-dir", reference: reference)
        return EngineResponse(status: .ok)
    }

    /// The container reference and the `path` query parameter (required; a relative path is
    /// taken from the root, as dockerd takes it).
    func copyParameters(_ context: RouteContext) throws -> (reference: String, path: String) {
        let reference = try containerID(context)
        guard let path = context.request.queryValue("path"), !path.isEmpty else {
            throw VICError(.invalidArgument, "path is required")
        }
        return (reference, path)
    }
}

/// What `GET` and `HEAD /containers/{id}/archive` read: the directory holding the path's last
/// component (a descriptor the caller closes), that component as tar's member, the rename that
/// names the entries as dockerd does, and the stat.
///
/// A last component that is a link is the link itself, unless the path ends in "/" or "/.":
/// then it is the directory it leads to, archived as "." and renamed to the path's base name.
/// /etc/hostname, /etc/hosts and /etc/resolv.conf are the files bind-mounted there.
struct CopyOrigin {
    let directory: Int32
    let member: String
    let rename: (from: String, to: String)?
    let stat: ContainerPathStat

    /// The origin of `path` in `source`: in a volume's data when the path is under one of the
    /// container's volume mount points, else in its root.
    init(_ path: String, from source: ExportSource, container: String) throws {
        if let volume = source.volumes.locate(path) {
            try self.init(volume.path, in: try ScopedDirectory(path: volume.root), boundFiles: [:], container: container,
                          shownAs: path)
        } else {
            try self.init(path, in: try ScopedDirectory(path: source.path), boundFiles: source.boundFiles, container: container)
        }
    }

    /// `shownAs`: the path as the container sees it, which names the entries when `path` is the
    /// root of `root` (a volume's mount point).
    init(_ path: String, in root: ScopedDirectory, boundFiles: [String: String], container: String, shownAs: String? = nil) throws {
        let parts = ScopedDirectory.components(path)
        // One resolution each: the stat and the archive are of the same file.
        if ContainerPathStat.followsLast(path) || parts.isEmpty {
            // Not a directory is not found, as lstat(2) says for a path ending in "/".
            directory = try ContainerPathStat.notFoundAsFileError(path, container) {
                try root.open(path, flags: ScopedDirectory.pathOnly | O_DIRECTORY)
            }
            do { stat = try ContainerPathStat.of(parts.isEmpty ? shownAs ?? path : path, descriptor: directory) } catch {
                close(directory)
                throw error
            }
            member = "."
            rename = stat.name == "." || stat.name == "/" ? nil : (".", stat.name)
            return
        }
        let parent = try ContainerPathStat.notFoundAsFileError(path, container) {
            try root.open(parts.dropLast().joined(separator: "/"), flags: ScopedDirectory.pathOnly | O_DIRECTORY)
        }
        let name = parts[parts.count - 1]
        let inside = (try? root.within(descriptor: parent)).map { $0 == "/" ? "/" + name : $0 + "/" + name }
        if let inside, let host = boundFiles[inside] {
            close(parent)
            let hostName = URL(fileURLWithPath: host).lastPathComponent
            stat = try ContainerPathStat.of(hostFile: host, name: name)
            let hostDirectory = URL(fileURLWithPath: host).deletingLastPathComponent().path
            let opened = Glibc.open(hostDirectory, ScopedDirectory.pathOnly | O_DIRECTORY | O_CLOEXEC)
            guard opened >= 0 else { throw VICError(.internal, "open \(hostDirectory): \(String(cString: strerror(errno)))") }
            directory = opened
            member = hostName
            rename = hostName == name ? nil : (hostName, name)
            return
        }
        do { stat = try ContainerPathStat.of(path, name: name, parent: parent, root: root, container: container) } catch {
            close(parent)
            throw error
        }
        directory = parent
        member = name
        rename = nil
    }
}
