import Foundation
import VICCore
import VICSystem

/// The runtime state of a container as the OCI runtime reports it.
public enum RuntimeStatus: String, Sendable, Codable {
    case creating, created, running, paused, stopped
}

/// The seam to an OCI runtime. crun and runc share this CLI contract; the shim runs `create`,
/// everything else goes through here. Privilege: root.
public protocol OCIRuntime: Sendable {
    /// The runtime binary, handed to the shim for `create`.
    var executable: String { get }
    /// The runtime's state directory (`--root`).
    var root: String { get }
    func start(_ id: String) async throws
    func kill(_ id: String, signal: Int32, all: Bool) async throws
    /// Deletes the container's runtime state; `force` kills it first.
    func delete(_ id: String, force: Bool) async throws
    func status(_ id: String) async throws -> RuntimeStatus?
}

/// runc or crun through their common command line.
public struct RuntimeCLI: OCIRuntime {
    public let executable: String
    public let root: String
    /// "runc" or "crun".
    public let name: String

    public init(executable: String, root: String, name: String? = nil) {
        self.executable = executable
        self.root = root
        self.name = name ?? (executable as NSString).lastPathComponent
    }

    /// crun where the host has a pure cgroup v2 hierarchy, runc otherwise (crun 1.8 refuses
    /// hybrid cgroups). `preference` ("crun" or "runc") overrides the choice; crun on a hybrid
    /// host then runs through a wrapper that hides the cgroup2 mount in a private mount namespace.
    public static func choose(preference: String?, root: String) throws -> RuntimeCLI {
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
            let wrapper = root + ".crun"
            let script = """
                #!/bin/sh
                # vic: crun refuses hybrid cgroups; run it where the cgroup2 mount is hidden.
                exec /usr/bin/unshare --mount --propagation private /bin/sh -c \\
                  'umount -l \(hybridMount) 2>/dev/null; exec \(path) "$@"' crun "$@"

                """
            try AtomicFile.makeDirectory((root as NSString).deletingLastPathComponent, mode: 0o700)
            try AtomicFile.write(Data(script.utf8), to: wrapper, mode: 0o755)
            return RuntimeCLI(executable: wrapper, root: root, name: "crun")
        }
        return RuntimeCLI(executable: path, root: root, name: name)
    }

    @discardableResult
    func run(_ arguments: [String]) async throws -> String {
        do { return try await Command.check(executable, ["--root", root] + arguments) } catch {
            throw VICError.wrapping(error, "\(name) \(arguments.first ?? "")")
        }
    }

    public func start(_ id: String) async throws { try await run(["start", id]) }

    public func kill(_ id: String, signal: Int32, all: Bool) async throws {
        try await run(["kill"] + (all ? ["--all"] : []) + [id, String(signal)])
    }

    public func delete(_ id: String, force: Bool) async throws {
        // runc and crun keep a container's state in ROOT/ID: without it there is nothing to
        // delete, and no process need say so.
        guard FileManager.default.fileExists(atPath: "\(root)/\(id)") else { return }
        let result = try await Command.run(executable, ["--root", root, "delete"] + (force ? ["--force"] : []) + [id])
        let gone = ["does not exist", "not exist", "No such file or directory"].contains { result.standardError.contains($0) }
        if !result.succeeded && !gone {
            throw VICError(.internal, "\(name) delete \(id): \(result.standardError.trimmingWhitespace())")
        }
    }

    public func status(_ id: String) async throws -> RuntimeStatus? {
        let result = try await Command.run(executable, ["--root", root, "state", id])
        guard result.succeeded else { return nil }
        struct State: Decodable { var status: String }
        let state = try? JSONDecoder().decode(State.self, from: Data(result.standardOutput.utf8))
        return state.flatMap { RuntimeStatus(rawValue: $0.status) }
    }
}
