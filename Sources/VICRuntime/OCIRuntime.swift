import Foundation
import VICCore
import VICSystem

/// The runtime state of a container as the OCI runtime reports it.
public enum RuntimeStatus: String, Sendable, Codable {
    case creating, created, running, paused, stopped
}

/// The seam to an OCI runtime. crun and runc share this CLI contract; the shim runs `run` and
/// `exec`, everything else goes through here. Privilege: root.
public protocol OCIRuntime: Sendable {
    /// The runtime binary, handed to the shim.
    var executable: String { get }
    /// The runtime's state directory (`--root`).
    var root: String { get }
    /// A mount the runtime must not see (the cgroup2 mount of a hybrid host, for crun), or nil.
    /// The shim then runs it in a private mount namespace without that mount.
    var hiddenMount: String? { get }
    func kill(_ id: String, signal: Int32, all: Bool) async throws
    /// Deletes the container's runtime state; `force` kills it first.
    func delete(_ id: String, force: Bool) async throws
    func status(_ id: String) async throws -> RuntimeStatus?
    /// Freezes every process of the container (the cgroup freezer).
    func pause(_ id: String) async throws
    /// Thaws a paused container.
    func resume(_ id: String) async throws
    /// Changes a running container's memory limit (bytes) and CPU quota (microseconds per
    /// 100 ms period); nil leaves one as it is, 0 lifts it.
    /// Changes a running container's limits; nil leaves one as it is. `limits` fields: -1 for
    /// the pids limit lifts it.
    func update(_ id: String, memoryLimit: Int64?, cpuQuota: Int64?, limits: CgroupLimits) async throws
    /// Runs the process described in the file `process` in the running container and waits for
    /// it, at most `timeout` (then it is killed): its exit status (nil after the timeout) and its
    /// output, stdout then stderr. For health probes.
    func execCapturing(_ id: String, process: String, timeout: Duration) async throws -> (code: Int32?, output: String)
}

extension OCIRuntime {
    public var hiddenMount: String? { nil }
}

/// runc or crun through their common command line.
public struct RuntimeCLI: OCIRuntime {
    public let executable: String
    public let root: String
    /// "runc" or "crun".
    public let name: String
    public let hiddenMount: String?
    /// Runs the runtime where `hiddenMount` is hidden, for the commands vchd runs itself:
    /// `vic-shim --hide-mount MOUNT`, a private mount namespace made with three system calls
    /// in the one process that then becomes the runtime.
    public let shim: String?

    public init(executable: String, root: String, name: String? = nil, hiddenMount: String? = nil, shim: String? = nil) {
        self.executable = executable
        self.root = root
        self.name = name ?? (executable as NSString).lastPathComponent
        self.hiddenMount = hiddenMount
        self.shim = shim
    }

    /// The command line of `RUNTIME --root ROOT arguments…`, through the shim when a mount must be hidden.
    public func commandLine(_ arguments: [String]) -> [String] {
        let direct = [executable, "--root", root] + arguments
        guard let hiddenMount, let shim else { return direct }
        return [shim, "--hide-mount", hiddenMount] + direct
    }

    /// crun where the host has a pure cgroup v2 hierarchy, runc otherwise (crun 1.8 refuses
    /// hybrid cgroups). `preference` ("crun" or "runc") overrides the choice; crun on a hybrid
    /// host then runs where the cgroup2 mount is hidden: `shim` (vic-shim) makes a private mount
    /// namespace without it for every call, in the process that becomes crun. A fresh copy per
    /// call, not one long-lived namespace: mounts made since (the container's rootfs overlay)
    /// would not reach a long-lived one on a host whose root mount is private.
    public static func choose(
        preference: String?, root: String, shim: String = Processes.siblingExecutable("vic-shim")
    ) throws -> RuntimeCLI {
        let pureV2 = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers")
        let name = preference ?? (pureV2 ? "crun" : "runc")
        guard ["crun", "runc"].contains(name) else {
            throw VICError(.invalidArgument, "unknown OCI runtime \(name): use crun or runc")
        }
        let directories = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"]
        guard let path = directories.map({ "\($0)/\(name)" }).first(where: FileManager.default.isExecutableFile) else {
            throw VICError(.unavailable, "OCI runtime \(name) is not installed (apt-get install \(name))")
        }
        let hybridMount = "/sys/fs/cgroup/unified"
        if name == "crun" && !pureV2 && FileManager.default.fileExists(atPath: "\(hybridMount)/cgroup.controllers") {
            return RuntimeCLI(executable: path, root: root, name: "crun", hiddenMount: hybridMount, shim: shim)
        }
        return RuntimeCLI(executable: path, root: root, name: name)
    }

    @discardableResult
    func run(_ arguments: [String]) async throws -> String {
        let command = commandLine(arguments)
        do { return try await Command.check(command[0], Array(command.dropFirst())) } catch {
            throw VICError.wrapping(error, "\(name) \(arguments.first ?? "")")
        }
    }

    public func kill(_ id: String, signal: Int32, all: Bool) async throws {
        try await run(["kill"] + (all ? ["--all"] : []) + [id, String(signal)])
    }

    public func delete(_ id: String, force: Bool) async throws {
        // runc and crun keep a container's state in ROOT/ID: without it there is nothing to
        // delete, and no process need say so.
        guard FileManager.default.fileExists(atPath: "\(root)/\(id)") else { return }
        let command = commandLine(["delete"] + (force ? ["--force"] : []) + [id])
        let result = try await Command.run(command[0], Array(command.dropFirst()))
        let gone = ["does not exist", "not exist", "No such file or directory"].contains { result.standardError.contains($0) }
        if !result.succeeded && !gone {
            throw VICError(.internal, "\(name) delete \(id): \(result.standardError.trimmingWhitespace())")
        }
    }

    /// The probe's output goes to `PROCESS.out` (only its first 4 KiB are read, so a chatty
    /// probe costs nothing) and the runtime writes the process's pid to `PROCESS.pid`: when the
    /// timeout kills the runtime, the process it started in the container (in a session of its
    /// own, out of reach of timeout's signal) is killed by that pid.
    public func execCapturing(_ id: String, process: String, timeout: Duration) async throws -> (code: Int32?, output: String) {
        let (outputFile, pidFile) = ("\(process).out", "\(process).pid")
        defer { unlink(outputFile); unlink(pidFile) }
        unlink(pidFile)
        let seconds = max(Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18, 0.1)
        let probe = ["/usr/bin/timeout", "-s", "KILL", String(format: "%.3f", seconds)]
            + commandLine(["exec", "--pid-file", pidFile, "--process", process, id])
        let clock = ContinuousClock()
        let began = clock.now
        let result = try await Command.run("/bin/sh", ["-c", #"out=$1; shift; exec "$@" >"$out" 2>&1"#, "sh", outputFile] + probe)
        // timeout(1) answers 137 for the runtime it killed; a probe may also exit 137 itself.
        let timedOut = result.status == 137 && clock.now - began >= timeout
        if timedOut, let text = FileSystem.readKernelFile(pidFile), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
           pid > 1 {
            Glibc.kill(pid, SIGKILL)
        }
        var output = ""
        if let handle = FileHandle(forReadingAtPath: outputFile) {
            output = String(decoding: (try? handle.read(upToCount: 4096)) ?? Data(), as: UTF8.self)
            try? handle.close()
        }
        return (timedOut ? nil : result.status, output)
    }

    public func pause(_ id: String) async throws {
        try await run(["pause", id])
    }

    public func resume(_ id: String) async throws {
        try await run(["resume", id])
    }

    public func update(_ id: String, memoryLimit: Int64?, cpuQuota: Int64?, limits: CgroupLimits) async throws {
        var arguments = ["update"]
        if let memoryLimit { arguments += ["--memory", String(memoryLimit > 0 ? memoryLimit : -1)] }
        if let cpuQuota { arguments += ["--cpu-period", "100000", "--cpu-quota", String(cpuQuota > 0 ? cpuQuota : -1)] }
        if let pids = limits.pidsLimit { arguments += ["--pids-limit", String(pids > 0 ? pids : -1)] }
        if let shares = limits.cpuShares { arguments += ["--cpu-share", String(CgroupLimits.shares(shares))] }
        if let cpus = limits.cpusetCpus { arguments += ["--cpuset-cpus", cpus] }
        if let mems = limits.cpusetMems { arguments += ["--cpuset-mems", mems] }
        if let reservation = limits.memoryReservation { arguments += ["--memory-reservation", String(reservation)] }
        if let swap = limits.memorySwap { arguments += ["--memory-swap", String(swap)] }
        guard arguments.count > 1 else { return }
        try await run(arguments + [id])
    }

    public func status(_ id: String) async throws -> RuntimeStatus? {
        let command = commandLine(["state", id])
        let result = try await Command.run(command[0], Array(command.dropFirst()))
        guard result.succeeded else { return nil }
        struct State: Decodable { var status: String }
        let state = try? JSONDecoder().decode(State.self, from: Data(result.standardOutput.utf8))
        return state.flatMap { RuntimeStatus(rawValue: $0.status) }
    }
}
