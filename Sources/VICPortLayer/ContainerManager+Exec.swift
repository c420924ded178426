import Foundation
import VICCore
import VICRuntime
import VICSystem

/// What `docker exec` asks to run in a running container.
public struct ExecRequest: Sendable, Equatable {
    public var cmd: [String]
    /// `KEY=value` entries that override the container's environment.
    public var env: [String]
    /// `user[:group]`, by name or number; empty means the container's user.
    public var user: String
    /// Empty means the container's working directory.
    public var workingDir: String
    public var tty: Bool
    public var attachStdin: Bool
    public var attachStdout: Bool
    public var attachStderr: Bool
    public var privileged: Bool
    /// Rows and columns of the TTY, when the client knows them.
    public var consoleSize: (height: Int, width: Int)?

    public init(cmd: [String], env: [String] = [], user: String = "", workingDir: String = "", tty: Bool = false,
                attachStdin: Bool = false, attachStdout: Bool = true, attachStderr: Bool = true,
                privileged: Bool = false, consoleSize: (height: Int, width: Int)? = nil) {
        self.cmd = cmd
        self.env = env
        self.user = user
        self.workingDir = workingDir
        self.tty = tty
        self.attachStdin = attachStdin
        self.attachStdout = attachStdout
        self.attachStderr = attachStderr
        self.privileged = privileged
        self.consoleSize = consoleSize
    }

    public static func == (lhs: ExecRequest, rhs: ExecRequest) -> Bool {
        lhs.cmd == rhs.cmd && lhs.env == rhs.env && lhs.user == rhs.user && lhs.workingDir == rhs.workingDir
            && lhs.tty == rhs.tty && lhs.attachStdin == rhs.attachStdin && lhs.attachStdout == rhs.attachStdout
            && lhs.attachStderr == rhs.attachStderr && lhs.privileged == rhs.privileged
            && lhs.consoleSize?.height == rhs.consoleSize?.height && lhs.consoleSize?.width == rhs.consoleSize?.width
    }
}

/// One exec instance: created, then started once. Kept in memory only, as Docker does.
public struct ExecRecord: Sendable, Equatable {
    public var id: String
    public var containerID: String
    public var request: ExecRequest
    public var started = false
}

/// An exec instance and what its shim says about the process (`GET /exec/{id}/json`).
public struct ExecStatus: Sendable {
    public var record: ExecRecord
    public var running: Bool
    /// Set once the process has exited.
    public var exitCode: Int?
    /// The process's host pid, 0 before it starts.
    public var pid: Int32
}

extension ContainerManager {
    func execDirectory(_ exec: ExecRecord) -> String {
        "\(directory(exec.containerID))/exec/\(Identifier.short(exec.id))"
    }

    func execShim(_ exec: ExecRecord) -> ShimClient {
        ShimClient(shim: shimPath, runtime: runtime, directory: execDirectory(exec))
    }

    func execRecord(_ id: String) throws -> ExecRecord {
        guard let exec = execs[id] else { throw VICError(.notFound, "No such exec instance: \(id)") }
        return exec
    }

    /// Registers an exec in a running container; returns its ID.
    ///
    /// - Throws: `.conflict` `Container X is not running` when it is not running.
    public func createExec(_ reference: String, _ request: ExecRequest) throws -> String {
        let record = try record(reference)
        guard record.state.status == .running else {
            throw VICError(.conflict, "Container \(record.id) is not running")
        }
        guard !record.state.paused else {
            throw VICError(.conflict, "Container \(record.id) is paused, unpause the container before exec")
        }
        guard !request.cmd.isEmpty else { throw VICError(.invalidArgument, "No exec command specified") }
        let id = Identifier.random()
        execs[id] = ExecRecord(id: id, containerID: record.id, request: request)
        emit("exec_create: " + request.cmd.joined(separator: " "), record, ["execID": id])
        return id
    }

    /// Starts an exec's process through its own shim. With `attach`, returns a socket attached to
    /// the process's stdio before it runs (raw with a TTY, Docker-multiplexed otherwise); the
    /// caller owns it. Watches the process in the background for `exec_die`.
    public func startExec(_ id: String, attach: Bool) async throws -> Int32? {
        var exec = try execRecord(id)
        guard !exec.started else { throw VICError(.conflict, "Exec command \(id) is already running") }
        let record = try record(exec.containerID)
        guard record.state.status == .running else {
            throw VICError(.conflict, "Container \(record.id) is not running")
        }
        guard !record.state.paused else {
            throw VICError(.conflict, "Container \(record.id) is paused, unpause the container before exec")
        }
        exec.started = true
        execs[id] = exec
        let directory = execDirectory(exec)
        let request = exec.request
        let client = execShim(exec)
        let started: ShimClient.ExecStart
        do {
            try AtomicFile.makeDirectory(directory, mode: 0o700)
            let process = try execProcess(request, container: record)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            try AtomicFile.write(try encoder.encode(process), to: "\(directory)/process.json", mode: 0o600, durability: .atomic)
            let streams = attach
                ? ShimClient.ExecStreams(stdin: request.attachStdin, stdout: request.attachStdout, stderr: request.attachStderr)
                : nil
            started = try await client.exec(
                containerID: record.id, process: "\(directory)/process.json", tty: request.tty,
                stdin: request.attachStdin && attach, attach: streams)
        } catch {
            throw VICError.wrapping(error, "exec in container \(record.shortID)")
        }
        emit("exec_start: " + request.cmd.joined(separator: " "), record, ["execID": id])
        Task {
            let exit = try? await client.waitForExit()
            self.execEnded(exec, code: exit?.code ?? 137)
        }
        return started.socket
    }

    func execEnded(_ exec: ExecRecord, code: Int) {
        let record = records[exec.containerID] ?? (try? self.record(exec.containerID))
        guard let record else { return }
        emit("exec_die", record, ["execID": exec.id, "exitCode": "\(code)"])
    }

    /// The OCI process for an exec: the container's own process (capabilities, environment,
    /// user) with the exec's command and overrides.
    func execProcess(_ request: ExecRequest, container record: ContainerRecord) throws -> OCISpec.Process {
        let bundle = "\(directory(record.id))/bundle/config.json"
        guard let data = FileManager.default.contents(atPath: bundle) else {
            throw VICError(.invalidState, "container \(record.shortID) has no bundle")
        }
        var process = try JSONDecoder().decode(OCISpec.self, from: data).process
        process.env = Self.mergeEnvironment(process.env, request.env + (request.tty && !process.env.contains { $0.hasPrefix("TERM=") } ? ["TERM=xterm"] : []))
        if !request.workingDir.isEmpty { process.cwd = request.workingDir }
        var user: (uid: UInt32, gid: UInt32)?
        if !request.user.isEmpty {
            let rootfs = RootFilesystem(directory: directory(record.id), layers: []).mountPoint
            let (uid, gid) = try ContainerFiles.resolveUser(request.user, rootfs: rootfs)
            user = (uid, gid)
        }
        process.adaptForExec(args: request.cmd, terminal: request.tty, consoleSize: request.consoleSize, user: user)
        return process
    }

    /// An exec and the state of its process.
    public func inspectExec(_ id: String) throws -> ExecStatus {
        let exec = try execRecord(id)
        guard exec.started else { return ExecStatus(record: exec, running: false, exitCode: nil, pid: 0) }
        let client = execShim(exec)
        let exit = client.exitRecord
        let running = exit == nil && client.shimPID != nil
        return ExecStatus(record: exec, running: running, exitCode: exit?.code ?? (running ? nil : 137),
                          pid: running ? client.processID ?? 0 : 0)
    }

    /// Resizes an exec's TTY.
    public func resizeExec(_ id: String, height: Int, width: Int) throws {
        let status = try inspectExec(id)
        guard status.running else { throw VICError(.conflict, "Exec \(id) is not running") }
        try execShim(status.record).resize(height: height, width: width)
    }
}
