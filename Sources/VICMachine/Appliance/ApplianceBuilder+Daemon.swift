import Foundation
import VICConfig
import VICCore
import VICSystem

extension ApplianceBuilder {
    /// Starts `vchd` for the VCH, detached, and waits until it answers `/_ping` on its control
    /// socket. The check runs over the Unix socket, so it works when the host has no address on
    /// any of the VCH's networks.
    func startDaemon(_ configuration: VCHConfiguration, journal: inout HostChangeJournal) async throws {
        console.info("Starting vchd in \(configuration.namespace)")
        let arguments = ApplianceBuilder.daemonArguments(name: configuration.name, paths: paths)
        let pid = try Processes.spawnDetached(vchdPath, arguments: arguments, logPath: paths.logFile(configuration.name))
        try journal.record(.process(pid: pid, executable: vchdPath))
        try await waitUntilReady(name: configuration.name, pid: pid)
    }

    /// The command line vic-machine gives vchd.
    public static func daemonArguments(name: String, paths: VCHPaths) -> [String] {
        ["--name", name, "--state-root", paths.stateRoot, "--run-root", paths.runRoot]
    }

    func waitUntilReady(name: String, pid: pid_t) async throws {
        let socket = paths.socketPath(name)
        let clock = ContinuousClock()
        let deadline = clock.now + readinessTimeout
        while clock.now < deadline {
            if !Processes.isAlive(pid) || isDefunct(pid) {
                throw VICError(.unavailable, "vchd exited during start-up: \(lastLines(of: paths.logFile(name)))")
            }
            if let response = try? LocalHTTP.request(socketPath: socket, path: "/_ping", timeout: 2),
               response.status == 200 {
                console.info("Waiting for major appliance components to launch: vchd answers")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw VICError(.unavailable, "vchd did not answer within \(readinessTimeout): \(lastLines(of: paths.logFile(name)))")
    }

    private func isDefunct(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid
    }

    /// The lines of vchd's log that say why it stopped: its own error lines, or a crash's
    /// first line, else the last three lines.
    private func lastLines(of path: String) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "no log" }
        let lines = text.split(separator: "\n")
        let telling = lines.filter { $0.hasPrefix("vchd:") || $0.contains("Fatal error") || $0.contains(" error ") }
        return (telling.isEmpty ? Array(lines.suffix(3)) : Array(telling.prefix(3))).joined(separator: " | ")
    }
}
