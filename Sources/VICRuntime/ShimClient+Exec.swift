import Foundation
import VICCore
import VICSystem

extension ShimClient {
    /// Which of an exec's streams an attaching client wants.
    public struct ExecStreams: Sendable, Equatable {
        public var stdin: Bool
        public var stdout: Bool
        public var stderr: Bool

        public init(stdin: Bool, stdout: Bool, stderr: Bool) {
            self.stdin = stdin
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// What `exec` started: the process's host pid and, when attaching, the attach socket.
    public struct ExecStart: Sendable {
        public var pid: Int32
        /// Connected to the shim past the attach handshake; the caller owns and closes it.
        public var socket: Int32?
    }

    /// Starts a process in the running container `containerID` through a shim in exec mode, with
    /// this client's directory as the exec's state directory (attach.sock, init.pid, exit).
    ///
    /// With `attach`, the shim holds the process back until the attach handshake is done, so the
    /// returned socket misses no output. Side effects: spawns a detached vic-shim, which runs
    /// `RUNTIME exec --detach --process PROCESS`. Privilege: root.
    ///
    /// - Throws: `VICError` with the runtime's own last words when it refuses to start the process.
    public func exec(containerID: String, process: String, tty: Bool, stdin: Bool, attach: ExecStreams?) async throws -> ExecStart {
        removeShimFiles()
        var arguments = [runtime.executable, runtime.root, containerID, process, directory, "exec"]
        if attach != nil { arguments.append("attachfirst") }
        if tty { arguments.append("tty") }
        if stdin { arguments.append("stdin") }
        if let hidden = runtime.hiddenMount { arguments.append("hide=\(hidden)") }
        _ = try Processes.spawnDetached(shim, arguments: arguments, logPath: "\(directory)/shim.log", reap: true)
        var socket: Int32?
        if let attach {
            socket = try await connectWhenListening(attach)
        }
        do {
            return ExecStart(pid: try await waitUntilCreated(), socket: socket)
        } catch {
            if let socket { close(socket) }
            throw error
        }
    }

    /// Attaches as soon as the new shim listens; gives up when it reports a failure or after 10 s.
    func connectWhenListening(_ streams: ExecStreams) async throws -> Int32 {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while clock.now < deadline {
            if let failure = creationFailure { throw failure }
            if FileManager.default.fileExists(atPath: socketPath),
               let fd = try? attach(stdin: streams.stdin, stdout: streams.stdout, stderr: streams.stderr) {
                return fd
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw VICError(.unavailable, "the exec shim did not listen within 10s")
    }

    /// The pid the runtime recorded for the process, if any.
    public var processID: Int32? {
        (try? String(contentsOfFile: "\(directory)/init.pid", encoding: .utf8)).flatMap { Int32($0.trimmingWhitespace()) }
    }
}

extension OCISpec.Process {
    /// Turns a container's process into an exec's: `args` run with the same capabilities and
    /// rlimits, on a TTY of `consoleSize` (rows, columns) when `terminal`, as `user` when given.
    public mutating func adaptForExec(
        args: [String], terminal: Bool, consoleSize: (height: Int, width: Int)?, user: (uid: UInt32, gid: UInt32)?
    ) {
        self.args = args
        self.terminal = terminal
        self.consoleSize = terminal
            ? OCISpec.ConsoleSize(height: consoleSize?.height ?? 24, width: consoleSize?.width ?? 80)
            : nil
        if let user { self.user = OCISpec.User(uid: user.uid, gid: user.gid, additionalGids: nil) }
    }
}
