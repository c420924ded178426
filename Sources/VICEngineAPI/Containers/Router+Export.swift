import Foundation
import VICCore
import VICPortLayer

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
}
