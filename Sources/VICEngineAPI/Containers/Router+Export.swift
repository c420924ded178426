import Foundation
import NIOPosix
import Synchronization
import VICCore
import VICPortLayer
import VICSystem

extension Router {
    /// `docker export`: the container's merged file system as a tar stream, written by GNU tar
    /// (numeric owners, entries relative to the root) and read as the client reads it.
    func exportContainer(_ context: RouteContext) async throws -> EngineResponse {
        let source = try await portLayer().containers.exportSource(try containerID(context))
        let tar: TarStream
        do { tar = try TarStream(directory: source.path, whenDone: source.release) } catch {
            source.release()
            throw error
        }
        let body = AsyncThrowingStream<[UInt8], any Error>(unfolding: { try await tar.next() })
        return .streaming(headers: ["Content-Type": "application/x-tar"], body)
    }
}

/// `tar -c` of a directory's entries, read chunk by chunk on the thread pool: the next chunk is
/// read only when the client has taken the last, so a slow client holds tar back. At the end,
/// or when the stream is dropped early (tar is then killed), tar is reaped and `whenDone` runs,
/// once.
final class TarStream: Sendable {
    private struct Running {
        var pid: pid_t
        var whenDone: @Sendable () -> Void
    }

    private let output: Int32
    private let errors: Int32
    private let running: Mutex<Running?>

    /// Starts tar on `directory`. Throws `.unavailable` when tar cannot be started.
    init(directory: String, whenDone: @escaping @Sendable () -> Void) throws {
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        let child = try Processes.spawnPiped(
            "/usr/bin/tar", arguments: ["--numeric-owner", "-C", directory, "-cf", "-", "--"] + (entries.isEmpty ? ["."] : entries))
        output = child.stdout
        errors = child.stderr
        running = Mutex(Running(pid: child.pid, whenDone: whenDone))
    }

    deinit {
        if let running = running.withLock({ $0.take() }) {
            kill(running.pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(running.pid, &status, 0) < 0 && errno == EINTR {}
            running.whenDone()
        }
        close(output)
        close(errors)
    }

    /// The next chunk, nil at the end; throws with tar's words when it failed.
    func next() async throws -> [UInt8]? {
        let (output, errors) = (self.output, self.errors)
        let chunk = try await NIOThreadPool.singleton.runIfActive { () -> [UInt8] in
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                return count > 0 ? Array(buffer[..<count]) : []
            }
        }
        if !chunk.isEmpty { return chunk }
        guard let done = running.withLock({ $0.take() }) else { return nil }
        let (status, words) = try await NIOThreadPool.singleton.runIfActive { () -> (Int32, String) in
            var status: Int32 = 0
            while waitpid(done.pid, &status, 0) < 0 && errno == EINTR {}
            var bytes = [UInt8](repeating: 0, count: 4096)
            let count = bytes.withUnsafeMutableBytes { read(errors, $0.baseAddress, $0.count) }
            return (status, String(decoding: bytes.prefix(max(count, 0)), as: UTF8.self))
        }
        done.whenDone()
        // GNU tar exits 1 when a file changed while it was read (a running container): the
        // archive is still whole.
        let exited = status & 0x7f == 0
        guard exited && (status >> 8) & 0xff <= 1 else {
            throw VICError(.internal, "export: tar failed (status \(status)): \(words.trimmingWhitespace())")
        }
        return nil
    }
}
