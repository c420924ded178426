import Foundation
import NIOPosix
import Synchronization
import VICCore
import VICSystem

/// `tar -c` of members of a directory, read chunk by chunk on the thread pool: the next chunk
/// is read only when the client has taken the last, so a slow client holds tar back. tar's
/// warnings are drained as they come by a thread of their own (their first 4 KiB are kept for
/// the error), so a chatty tar never stalls on a full pipe. At the end, or when the stream is
/// dropped early (tar is then killed), tar is reaped and `whenDone` runs, once.
///
/// For `docker export` and `docker cp` out of a container. GNU tar archives links as links and
/// never follows them below `directory`.
final class TarStream: Sendable {
    private struct Running {
        var pid: pid_t
        var whenDone: @Sendable () -> Void
    }

    private let output: Int32
    private let running: Mutex<Running?>
    private let warnings: Warnings

    /// The names in `directory`, sorted, or ["."] when it is empty: a whole tree's members.
    static func entries(of directory: String) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        return names.isEmpty ? ["."] : names
    }

    /// Starts tar on `members` of `directory` (numeric owners). `rename` renames the first
    /// member's name at the start of every entry's name (`docker cp` of a followed link).
    /// Throws `.unavailable` when tar cannot be started.
    init(directory: String, members: [String], rename: (from: String, to: String)? = nil,
         whenDone: @escaping @Sendable () -> Void) throws {
        var arguments = ["--numeric-owner", "-C", directory, "-cf", "-"]
        if let rename {
            // S: not in symbolic links' targets, which are the container's paths, not members.
            arguments.append("--transform=s,^\(TarStream.escapeForTransform(rename.from)),\(TarStream.escapeReplacement(rename.to)),S")
        }
        let child = try Processes.spawnPiped("/usr/bin/tar", arguments: arguments + ["--"] + members)
        output = child.stdout
        running = Mutex(Running(pid: child.pid, whenDone: whenDone))
        warnings = Warnings(descriptor: child.stderr)
    }

    deinit {
        if let running = running.withLock({ $0.take() }) {
            kill(running.pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(running.pid, &status, 0) < 0 && errno == EINTR {}
            running.whenDone()
        }
        close(output)
    }

    /// The next chunk, nil at the end; throws with tar's words when it failed.
    func next() async throws -> [UInt8]? {
        let output = self.output
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
        let warnings = self.warnings
        let (status, words) = try await NIOThreadPool.singleton.runIfActive { () -> (Int32, String) in
            var status: Int32 = 0
            while waitpid(done.pid, &status, 0) < 0 && errno == EINTR {}
            return (status, warnings.waitForEnd())
        }
        done.whenDone()
        // GNU tar exits 1 when a file changed while it was read (a running container): the
        // archive is still whole.
        let exited = status & 0x7f == 0
        guard exited && (status >> 8) & 0xff <= 1 else {
            throw VICError(.internal, "tar failed (status \(status)): \(words.trimmingWhitespace())")
        }
        return nil
    }

    /// A sed expression's literal text: regex specials and the "," delimiter escaped.
    static func escapeForTransform(_ text: String) -> String { escape(text, "\\^$.*[]/,") }

    /// A sed replacement's literal text: backslash, "&" and "," escaped.
    static func escapeReplacement(_ text: String) -> String { escape(text, "\\&,") }

    static func escape(_ text: String, _ specials: String) -> String {
        var escaped = ""
        for character in text {
            if specials.contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// Drains a pipe to its end on a thread of its own, keeping the first 4 KiB; closes it.
    private final class Warnings: Sendable {
        private let kept = Mutex<[UInt8]>([])
        private let finished = DispatchSemaphore(value: 0)

        init(descriptor: Int32) {
            Thread { [self] in drain(descriptor) }.start()
        }

        private func drain(_ descriptor: Int32) {
            let words = FileSystem.drain(descriptor, keeping: 4096)
            close(descriptor)
            kept.withLock { $0 = words }
            finished.signal()
        }

        /// What was kept, once the pipe has ended (the writer exited).
        func waitForEnd() -> String {
            finished.wait()
            finished.signal()
            return String(decoding: kept.withLock { $0 }, as: UTF8.self)
        }
    }
}
