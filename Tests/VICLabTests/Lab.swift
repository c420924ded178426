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
            let namespace = "vch-\(vch)"
            if FileManager.default.fileExists(atPath: "/run/netns/\(namespace)") {
                let pids = try await Command.run("/usr/sbin/ip", ["netns", "pids", namespace])
                for pid in pids.standardOutput.split(separator: "\n").compactMap({ Int32($0) }) {
                    kill(pid, SIGKILL)
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
}

actor CreatedVCHs {
    private(set) var names: [String] = []
    func add(_ name: String) { if !names.contains(name) { names.append(name) } }
}

extension CommandResult {
    var combined: String { standardOutput + standardError }
}
