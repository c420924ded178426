import Foundation
import VICConfig
import VICCore
import VICPlumbing
import VICSystem

/// Undoes a VCH's host changes from its journal, newest first. Keeps going after a failure and
/// reports every one (netavark's error list). Each undo is idempotent, so a teardown that was
/// interrupted can simply be run again.
public struct Teardown: Sendable {
    public let links: any LinkControl
    public let console: Console

    public init(links: any LinkControl, console: Console = Console()) {
        self.links = links
        self.console = console
    }

    /// Replays `journal` backwards. With `keepCertificates`, generated certificates stay.
    /// Returns the failures, empty when everything was undone.
    public func run(_ journal: inout HostChangeJournal, keepCertificates: Bool = false) async -> [VICError] {
        var failures: [VICError] = []
        for change in journal.changes.reversed() {
            // The directory holding the journal goes last, and only when all else is undone,
            // so that a teardown that failed part-way can be run again.
            if case .directory(let path) = change, journal.path.hasPrefix(path + "/"), !failures.isEmpty {
                continue
            }
            do {
                try await undo(change, keepCertificates: keepCertificates)
                if case .directory(let path) = change, journal.path.hasPrefix(path + "/") {
                    continue  // the journal went with its directory
                }
                try journal.forget(change)
            } catch let error as VICError {
                failures.append(error)
            } catch {
                failures.append(VICError.wrapping(error, "undo \(change)"))
            }
        }
        return failures
    }

    func undo(_ change: HostChange, keepCertificates: Bool) async throws {
        switch change {
        case .process(let pid, let executable):
            try await stop(pid: pid, executable: executable)
        case .certificates(let directory):
            guard !keepCertificates else { return }
            try removeTree(directory)
        case .link(let name):
            try await links.deleteLink(named: name, in: nil)
        case .address(let address, let link):
            try await links.removeAddress(address, from: link, in: nil)
        case .namespace(let name):
            // Containers' namespaces are named after the appliance's: vch-NAME-<id>.
            let containers = ((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? [])
                .filter { $0.hasPrefix(name + "-") && $0 != name + "-host" }
            for namespace in containers + [name] {
                try await killProcesses(inNamespace: namespace)
                try await links.deleteNamespace(namespace)
            }
            // User-defined bridge networks: vchd made one bridge each in this (the host)
            // namespace, with the alias vic:<vch>:<network>.
            let prefix = "vic:\(name.dropFirst("vch-".count)):"
            for link in try await links.links(in: nil) where link.isBridge && link.alias?.hasPrefix(prefix) == true {
                try await links.deleteLink(named: link.name, in: nil)
            }
        case .namespaceName(let name):
            try await links.deleteNamespace(name)
        case .directory(let path):
            try unmountEverything(under: path)
            try removeTree(path)
        }
    }

    /// SIGTERM, up to 10 s for a graceful exit, then SIGKILL. Only if the pid still runs `executable`.
    func stop(pid: Int32, executable: String) async throws {
        guard let argv = Processes.commandLine(of: pid), argv.first == executable else { return }
        try Processes.signal(pid, SIGTERM)
        for _ in 0..<200 where Processes.isAlive(pid) && !isZombie(pid) {
            try await Task.sleep(for: .milliseconds(50))
        }
        if Processes.isAlive(pid) && !isZombie(pid) {
            console.warn("vchd (pid \(pid)) did not stop in 10s; killing it")
            try Processes.signal(pid, SIGKILL)
        }
    }

    func isZombie(_ pid: Int32) -> Bool {
        guard let stat = FileSystem.readKernelFile("/proc/\(pid)/stat"),
              let close = stat.lastIndex(of: ")") else { return true }
        return String(stat[stat.index(after: close)...]).trimmingWhitespace().hasPrefix("Z")
    }

    /// Kills what is left in an appliance namespace (DHCP clients of a vchd that was SIGKILLed).
    func killProcesses(inNamespace name: String) async throws {
        guard try await links.namespaceExists(name) else { return }
        let output = try await Command.run("/usr/sbin/ip", ["netns", "pids", name])
        for pid in output.standardOutput.split(separator: "\n").compactMap({ Int32($0) }) {
            try Processes.signal(pid, SIGKILL)
        }
    }

    /// Containers' overlay mounts must go before their directories: never delete through a mount.
    func unmountEverything(under path: String) throws {
        let mounts = FileSystem.readKernelFile("/proc/self/mounts") ?? ""
        let points = mounts.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            return fields.count > 1 ? String(fields[1]) : nil
        }.filter { $0.hasPrefix(path + "/") }
        for point in points.sorted(by: >) where umount2(point, Int32(MNT_DETACH)) != 0 && errno != EINVAL {
            throw errnoError("unmount \(point)")
        }
    }

    func removeTree(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do { try FileManager.default.removeItem(atPath: path) } catch {
            throw VICError.wrapping(error, "remove \(path)")
        }
    }
}
