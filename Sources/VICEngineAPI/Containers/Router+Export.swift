import Foundation
import NIOPosix
import VICCore
import VICPortLayer
import VICRuntime

extension Router {
    /// `docker export`: the container's merged file system as a tar stream, written by GNU tar
    /// (numeric owners, entries relative to the root) and read as the client reads it.
    func exportContainer(_ context: RouteContext) async throws -> EngineResponse {
        let source = try await portLayer().containers.exportSource(try containerID(context))
        let tar: TarStream
        do { tar = try TarStream(directory: source.path, members: TarStream.entries(of: source.path), whenDone: source.release) } catch {
            source.release()
            throw error
        }
        let body = AsyncThrowingStream<[UInt8], any Error>(unfolding: { try await tar.next() })
        return .streaming(headers: ["Content-Type": "application/x-tar"], body)
    }

    /// `docker diff`: the container's changes against its image, as dockerd's overlay driver
    /// reports them (`RootFilesystem.changes`), read on the thread pool.
    func containerChanges(_ context: RouteContext) async throws -> EngineResponse {
        let containers = try portLayer().containers
        let reference = try containerID(context)
        let rootfs = try await containers.rootFilesystem(reference)
        // The runtime's mount points: the bound /etc files, volumes and tmpfs.
        let ignored = OCISpec.boundEtcPaths.union(try await containers.record(reference).host.mounts.map(\.destination))
        let changes = try await NIOThreadPool.singleton.runIfActive { rootfs.changes(ignoring: ignored) }
        struct Change: Encodable { var Path: String; var Kind: Int }
        return .json(changes.map { Change(Path: $0.path, Kind: $0.kind.rawValue) })
    }
}
