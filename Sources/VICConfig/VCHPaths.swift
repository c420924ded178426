import Foundation

/// Where a VCH keeps its files. State (configuration, journal, logs) survives reboots under
/// `stateRoot/<name>`; runtime files (sockets, pid, DHCP leases) live under `runRoot/<name>`.
public struct VCHPaths: Sendable, Equatable {
    /// The parent of every VCH's persistent state directory, /var/lib/vic by default.
    public var stateRoot: String
    /// The parent of every VCH's runtime directory (normally tmpfs), /run/vic by default.
    public var runRoot: String

    /// Roots the paths; nothing is created on disk.
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

    /// `<stateRoot>/<name>`: the VCH's persistent directory (mode 0700 once created).
    public func stateDirectory(_ name: String) -> String { "\(stateRoot)/\(name)" }
    /// `<runRoot>/<name>`: the VCH's runtime directory, holding the socket, pid file, leases and runtime state.
    public func runDirectory(_ name: String) -> String { "\(runRoot)/\(name)" }
    /// The VCH's `config.json`, written by `ConfigurationStore`.
    public func configurationFile(_ name: String) -> String { "\(stateDirectory(name))/config.json" }
    /// The VCH's host-change journal, replayed backwards by teardown.
    public func journalFile(_ name: String) -> String { "\(stateDirectory(name))/journal.json" }
    /// The file vchd's stdout and stderr go to when `vic-machine` starts it.
    public func logFile(_ name: String) -> String { "\(stateDirectory(name))/vchd.log" }
    /// The file holding vchd's pid while it runs.
    public func pidFile(_ name: String) -> String { "\(runDirectory(name))/vchd.pid" }
    /// The Unix socket where vchd serves the Docker API.
    public func socketPath(_ name: String) -> String { "\(runDirectory(name))/docker.sock" }
}
