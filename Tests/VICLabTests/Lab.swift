import Foundation
import Testing
import VICCore
import VICSystem

/// A throwaway lab (scripts/lab.sh): a namespace playing the host, bridges playing port groups,
/// dnsmasq DHCP, and client namespaces. `Lab.with` tears it down even when the body throws,
/// after deleting every VCH the test created there.
struct Lab: Sendable {
    let name: String
    let stateRoot: String
    let runRoot: String
    let created = CreatedVCHs()

    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    /// Where vic-machine and vchd are: VIC_BIN_DIR, else this package's debug build.
    static var binDirectory: String {
        ProcessInfo.processInfo.environment["VIC_BIN_DIR"] ?? "\(packageRoot)/.build/debug"
    }

    static func with<T: Sendable>(
        noVMNetwork: Bool = false, _ body: @Sendable (Lab) async throws -> T
    ) async throws -> T {
        let binaries = ["vic-machine", "vchd"].map { "\(binDirectory)/\($0)" }
        for binary in binaries {
            try #require(FileManager.default.isExecutableFile(atPath: binary),
                         "\(binary) is missing: build first (swift build) or set VIC_BIN_DIR")
        }
        let name = "vl" + String(Identifier.random().prefix(4))
        let lab = Lab(name: name, stateRoot: "/run/vic-lab/\(name)/state", runRoot: "/run/vic-lab/\(name)/run")
        let up = try await Command.run(
            "\(packageRoot)/scripts/lab.sh", ["up", name] + (noVMNetwork ? ["--no-vm-network"] : []))
        guard up.succeeded else {
            _ = try? await Command.run("\(packageRoot)/scripts/lab.sh", ["down", name])
            throw VICError(.unavailable, "lab up failed: \(up.standardError)")
        }
        do {
            let result = try await body(lab)
            try await lab.tearDown()
            return result
        } catch {
            try? await lab.tearDown()
            throw error
        }
    }

    /// Deletes leftover VCHs (force-removing what delete could not), then the lab.
    func tearDown() async throws {
        for vch in await created.names {
            _ = try? await vicMachine(["delete", "--name", vch])
            // The appliance, then what a failed delete can leave: container namespaces and the
            // host namespace's name.
            let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? [])
                .filter { $0.hasPrefix("vch-\(vch)-") }.sorted()
            for namespace in ["vch-\(vch)"] + leftovers where FileManager.default.fileExists(atPath: "/run/netns/\(namespace)") {
                // `vch-NAME-host` is only a name for the lab's host namespace: keep its processes.
                if !namespace.hasSuffix("-host") {
                    let pids = try await Command.run("/usr/sbin/ip", ["netns", "pids", namespace])
                    for pid in pids.standardOutput.split(separator: "\n").compactMap({ Int32($0) }) {
                        kill(pid, SIGKILL)
                    }
                }
                _ = try await Command.run("/usr/sbin/ip", ["netns", "delete", namespace])
            }
        }
        let down = try await Command.run("\(Lab.packageRoot)/scripts/lab.sh", ["down", name])
        #expect(down.succeeded, "lab down: \(down.standardError)")
    }

    /// Runs a command in the lab's host namespace, or in `LAB-<suffix>`.
    func run(in suffix: String? = nil, _ arguments: [String], environment: [String: String] = [:]) async throws -> CommandResult {
        let namespace = suffix.map { "\(name)-\($0)" } ?? name
        return try await Command.run(
            "/usr/bin/nsenter", ["--net=/run/netns/\(namespace)", "--"] + arguments, environment: environment)
    }

    /// vic-machine in the lab's host namespace, with the lab's state roots.
    func vicMachine(_ arguments: [String], environment: [String: String] = [:]) async throws -> CommandResult {
        if arguments.first == "create", let index = arguments.firstIndex(of: "--name"), index + 1 < arguments.count {
            await created.add(arguments[index + 1])
        }
        var env = ["VIC_STATE_ROOT": stateRoot, "VIC_RUN_ROOT": runRoot]
        env.merge(environment) { $1 }
        return try await run(["\(Lab.binDirectory)/vic-machine"] + arguments, environment: env)
    }

    /// The docker CLI from a client namespace (`cpub`, `c51`…) or the lab host (nil), with
    /// DOCKER_CERT_PATH set to `vch`'s certificates.
    func docker(from suffix: String?, vch: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> CommandResult {
        var env = ["DOCKER_CONFIG": "/run/vic-lab/\(name)/docker-config", "DOCKER_CERT_PATH": certificateDirectory(vch)]
        env.merge(environment) { $1 }
        return try await run(in: suffix, ["/usr/local/bin/docker"] + arguments, environment: env)
    }

    func certificateDirectory(_ vch: String) -> String { "/run/vic-lab/\(name)/certs-\(vch)" }

    /// One HTTP GET with curl from a lab namespace; nil when it fails. (Debian's static busybox
    /// wget crashes, so containers use `nc` instead.)
    func fetch(from suffix: String, _ url: String) async throws -> String? {
        let result = try await run(in: suffix, ["/usr/bin/curl", "-sf", "-m", "3", url])
        return result.succeeded ? result.standardOutput.trimmingWhitespace() : nil
    }

    /// Polls `fetch` until it answers (a server needs a moment after `docker run -d`).
    func eventually(from suffix: String, _ url: String) async throws -> String? {
        for _ in 0..<20 {
            if let body = try await fetch(from: suffix, url) { return body }
            try await Task.sleep(for: .milliseconds(250))
        }
        return nil
    }
}

actor CreatedVCHs {
    private(set) var names: [String] = []
    func add(_ name: String) { if !names.contains(name) { names.append(name) } }
}

extension CommandResult {
    var combined: String { standardOutput + standardError }
}

// MARK: helpers for the container, restart, runtime and docker-py end-to-end tests

/// The docker CLI of a lab client namespace, bound to one VCH over TLS.
struct VCHClient: Sendable {
    let lab: Lab
    let vch: String
    /// `IP:port` as create printed it (DOCKER_HOST).
    let host: String
    /// The client namespace suffix the CLI runs in.
    var from: String? = "cpub"

    func callAsFunction(_ arguments: [String]) async throws -> CommandResult {
        try await lab.docker(from: from, vch: vch, ["-H", host, "--tls"] + arguments)
    }

    /// `docker inspect --format FORMAT NAME`, trimmed.
    func inspect(_ name: String, _ format: String) async throws -> String {
        try await self(["inspect", "--format", format, name]).standardOutput.trimmingWhitespace()
    }

    /// A shell command line in the client namespace with the docker CLI bound to this VCH.
    func shell(_ script: String) async throws -> CommandResult {
        try await lab.run(in: "cpub", ["/bin/sh", "-c", script], environment: [
            "DOCKER_CERT_PATH": lab.certificateDirectory(vch), "DOCKER_HOST": "tcp://\(host)",
            "DOCKER_CONFIG": "/run/vic-lab/\(lab.name)/docker-config",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
        ])
    }
}

/// A lab with the registry and one VCH `vch`, and `files`, a directory for archives removed
/// with the lab; the VCH is deleted at the end.
func withFilesVCH(_ vch: String, _ body: @Sendable (Lab, VCHClient, String) async throws -> Void) async throws {
    try await Lab.with { lab in
        try await lab.startRegistry()
        let docker = try await lab.createVCH(vch)
        let files = "/run/vic-lab/\(lab.name)/files-\(vch)"
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: files) }
        try await body(lab, docker, files)
        let delete = try await lab.vicMachine(["delete", "--name", vch])
        #expect(delete.succeeded, "delete: \(delete.combined)")
    }
}

extension Lab {
    /// Serves library/busybox on the lab router (scripts/lab.sh registry).
    func startRegistry() async throws {
        let registry = try await Command.run("\(Lab.packageRoot)/scripts/lab.sh", ["registry", name])
        try #require(registry.succeeded, "registry: \(registry.combined)")
    }

    /// Creates `vch` on Bridge-DPG with the lab registry as its mirror; returns its client.
    func createVCH(_ vch: String, _ flags: [String] = [], environment: [String: String] = [:]) async throws -> VCHClient {
        let create = try await vicMachine([
            "create", "--name", vch, "--bridge-network", "Bridge-DPG", "--tls-cert-path", certificateDirectory(vch),
            "--registry-mirror", "http://10.99.32.1:5000",
        ] + flags, environment: environment)
        try #require(create.succeeded, "create: \(create.combined)")
        let line = create.standardOutput.split(separator: "\n").first { $0.contains("DOCKER_HOST=") }
        let host = try #require(line.flatMap { $0.split(separator: "=").last.map(String.init) })
        return VCHClient(lab: self, vch: vch, host: host)
    }

    /// The pid vchd of `vch` wrote in its run directory.
    func vchdPID(_ vch: String) throws -> pid_t {
        let text = try String(contentsOfFile: "\(runRoot)/\(vch)/vchd.pid", encoding: .utf8)
        return try #require(pid_t(text.trimmingWhitespace()), "vchd.pid: \(text)")
    }

    /// The vchd processes of `vch` in this lab: those whose command line names the VCH and this
    /// lab's state root (another lab may run a VCH of the same name). A child vchd has forked and
    /// not yet replaced with its program carries the same command line, so it is not counted.
    func daemonPIDs(_ vch: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        let daemons = Set(entries.compactMap(pid_t.init).filter { pid in
            guard let argv = Processes.commandLine(of: pid), argv.first?.hasSuffix("/vchd") == true else { return false }
            return argv.contains(vch) && argv.contains(stateRoot)
        })
        return daemons.filter { pid in parentPID(of: pid).map { !daemons.contains($0) } ?? false }.sorted()
    }

    /// Starts vchd for `vch` the way `vic-machine create` does (detached, its own session,
    /// output appended to the VCH's vchd.log, same arguments), from the lab's host namespace.
    /// Returns its pid.
    func startVCHD(_ vch: String) throws -> pid_t {
        try Processes.spawnDetached(
            "/usr/bin/nsenter",
            arguments: ["--net=/run/netns/\(name)", "--", "\(Lab.binDirectory)/vchd",
                        "--name", vch, "--state-root", stateRoot, "--run-root", runRoot],
            logPath: "\(stateRoot)/\(vch)/vchd.log")
    }
}

/// The parent of `pid`, from /proc; nil once it is gone.
func parentPID(of pid: pid_t) -> pid_t? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return fields.count > 1 ? pid_t(fields[1]) : nil
}

/// Whether `pid` is gone: no such process, or a zombie (reaped here when it is our child).
func processIsGone(_ pid: pid_t) -> Bool {
    var status: Int32 = 0
    _ = waitpid(pid, &status, WNOHANG)
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
    guard let close = stat.lastIndex(of: ")") else { return true }
    return String(stat[stat.index(after: close)...]).trimmingWhitespace().hasPrefix("Z")
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
func eventually(_ timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// All of /proc/self/mounts. (`String(contentsOfFile:)` returns only the first 4 KiB of a
/// /proc file on this Foundation, which hides every later mount.)
func currentMounts() -> String {
    guard let handle = FileHandle(forReadingAtPath: "/proc/self/mounts") else { return "" }
    defer { try? handle.close() }
    return String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
}

/// The mount points listed in /proc/self/mounts below `directory`.
func mountPoints(under directory: String) -> [String] {
    currentMounts().split(separator: "\n").compactMap { line in
        let fields = line.split(separator: " ")
        guard fields.count > 1, fields[1].hasPrefix(directory + "/") else { return nil }
        return String(fields[1])
    }
}
