import CVICSystem
import Foundation
import VICCore

/// Long-running processes: detached daemons, liveness, signals, and entering a network namespace.
public enum Processes {
    /// Starts `executable` in a new session, detached from the caller, with stdin on /dev/null and
    /// stdout and stderr appended to `logPath`. Returns its pid. With `reap`, a background
    /// reaper collects it when it exits (for a long-lived caller such as vchd, whose shims would
    /// otherwise stay zombies); without, it is re-parented to init when the caller exits.
    public static func spawnDetached(
        _ executable: String, arguments: [String], logPath: String, reap: Bool = false
    ) throws -> pid_t {
        let pid = withArgv([executable] + arguments) { cvic_spawn_detached($0, logPath) }
        guard pid > 0 else { throw errnoError("start \(executable)", code: .unavailable) }
        if reap { ChildReaper.shared.watch(pid) }
        return pid
    }

    /// Starts `executable` (an absolute path) with stdin on /dev/null and its stdout and stderr
    /// on pipes whose read ends are returned (close-on-exec, owned by the caller). The caller
    /// reaps the child (`waitpid`). Throws `.unavailable` when it cannot be started.
    public static func spawnPiped(_ executable: String, arguments: [String]) throws -> (pid: pid_t, stdout: Int32, stderr: Int32) {
        var out: Int32 = -1
        var err: Int32 = -1
        let pid = withArgv([executable] + arguments) { cvic_spawn_piped($0, &out, &err) }
        guard pid > 0 else { throw errnoError("start \(executable)", code: .unavailable) }
        return (pid, out, err)
    }

    /// Runs `body` with `argv` as a NULL-terminated C array of C strings, freed afterwards.
    static func withArgv(_ argv: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> pid_t) -> pid_t {
        let cStrings = argv.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = cStrings.map { $0.map { UnsafePointer($0) } } + [nil]
        return pointers.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return -1 }
            return body(base)
        }
    }

    /// The path of a program installed next to the running executable.
    public static func siblingExecutable(_ name: String) -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return (me as NSString).deletingLastPathComponent + "/" + name
    }

    /// Whether a process with `pid` exists.
    public static func isAlive(_ pid: pid_t) -> Bool { cvic_process_exists(pid) != 0 }

    /// The command line of `pid` as its argv, or nil when the process is gone.
    public static func commandLine(of pid: pid_t) -> [String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Sends `signal` to `pid`; a process that is already gone is not an error.
    public static func signal(_ pid: pid_t, _ signal: Int32) throws {
        if kill(pid, signal) != 0 && errno != ESRCH {
            throw errnoError("signal \(signal) to pid \(pid)")
        }
    }

    /// Moves the calling thread into the network namespace at `path`.
    /// Privilege: CAP_SYS_ADMIN. Call it before any other thread exists (threads created later
    /// inherit it); it does not affect threads that already run.
    public static func enterNetworkNamespace(_ path: String) throws {
        guard cvic_enter_netns(path) == 0 else {
            throw errnoError("enter network namespace \(path)", code: .unavailable)
        }
    }
}
