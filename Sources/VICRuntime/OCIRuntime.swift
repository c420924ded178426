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

    public init(executable: String, root: String) {
        self.executable = executable
        self.root = root
    }

    /// crun where the host has a pure cgroup v2 hierarchy, runc otherwise (crun refuses hybrid
    /// cgroups). `preference` ("crun" or "runc") overrides the choice.
    public static func choose(preference: String?, root: String) throws -> RuntimeCLI {
        let pureV2 = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers")
        let name = preference ?? (pureV2 ? "crun" : "runc")
        for directory in ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"] {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return RuntimeCLI(executable: path, root: root) }
        }
        throw VICError(.unavailable, "OCI runtime \(name) is not installed (apt-get install \(name))")
    }

    public var name: String { (executable as NSString).lastPathComponent }

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
        let result = try await Command.run(executable, ["--root", root, "delete"] + (force ? ["--force"] : []) + [id])
        if !result.succeeded && !result.standardError.contains("does not exist") && !result.standardError.contains("not exist") {
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
