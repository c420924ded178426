import Foundation

/// Where a VCH keeps its files. State (configuration, journal, logs) survives reboots under
/// `stateRoot/<name>`; runtime files (sockets, pid, DHCP leases) live under `runRoot/<name>`.
public struct VCHPaths: Sendable, Equatable {
    public var stateRoot: String
    public var runRoot: String

    public init(stateRoot: String = "/var/lib/vic", runRoot: String = "/run/vic") {
        self.stateRoot = stateRoot
        self.runRoot = runRoot
    }

    /// The defaults, overridden by `VIC_STATE_ROOT` and `VIC_RUN_ROOT` when set (tests use this).
    public static func fromEnvironment() -> VCHPaths {
        let env = ProcessInfo.processInfo.environment
        return VCHPaths(
            stateRoot: env["VIC_STATE_ROOT"] ?? "/var/lib/vic",
            runRoot: env["VIC_RUN_ROOT"] ?? "/run/vic")
    }

    public func stateDirectory(_ name: String) -> String { "\(stateRoot)/\(name)" }
    public func runDirectory(_ name: String) -> String { "\(runRoot)/\(name)" }
    public func configurationFile(_ name: String) -> String { "\(stateDirectory(name))/config.json" }
    public func journalFile(_ name: String) -> String { "\(stateDirectory(name))/journal.json" }
    public func logFile(_ name: String) -> String { "\(stateDirectory(name))/vchd.log" }
    public func pidFile(_ name: String) -> String { "\(runDirectory(name))/vchd.pid" }
    public func socketPath(_ name: String) -> String { "\(runDirectory(name))/docker.sock" }
}
