import ArgumentParser
import Foundation
import VICConfig
import VICCore
import VICPlumbing
import VICSystem

/// `vic-machine start`: starts a VCH's vchd again after it stopped or was killed (VIC powered the
/// appliance VM on). Running containers kept running under their shims and are re-adopted;
/// published ports and networks come back from the VCH's state. Idempotent: a running vchd is
/// left alone. Privilege: root.
struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the appliance daemon of a VCH that stopped (containers keep running meanwhile).")

    @OptionGroup var common: NameOption
    @Option(name: .customLong("timeout"), help: "Seconds to wait for vchd to answer.")
    var timeout = 30

    func run() async throws {
        let console = Console()
        let paths = VCHPaths.fromEnvironment()
        let journalPath = try common.existingJournal(paths)
        if let running = Self.runningDaemon(paths: paths, name: common.name) {
            console.info("vchd of \(common.name) is already running (pid \(running))")
            return
        }
        var journal = try HostChangeJournal(path: journalPath)
        var builder = ApplianceBuilder(
            links: IPRoute2(), paths: paths, console: console, vchdPath: VCHPaths.vchdExecutable(),
            issueCertificates: { _, _, _, _ in throw VICError(.invalidState, "start issues no certificates") })
        builder.readinessTimeout = .seconds(timeout)
        let configuration = try ConfigurationStore(paths: paths).load(common.name)
        // Earlier daemons' journal entries are for processes that are gone.
        for change in journal.changes {
            if case .process(let pid, _) = change, !Processes.isAlive(pid) { try journal.forget(change) }
        }
        try await builder.startDaemon(configuration, journal: &journal)
        console.info("Completed successfully")
    }

    /// The PID in vchd's pid file, when that process is alive and is a vchd.
    static func runningDaemon(paths: VCHPaths, name: String) -> Int32? {
        guard let text = try? String(contentsOfFile: paths.pidFile(name), encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), Processes.isAlive(pid),
              Processes.commandLine(of: pid)?.first?.hasSuffix("vchd") == true
        else { return nil }
        return pid
    }
}
