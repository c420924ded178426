import Foundation
import VICCore

/// A container's lifecycle, as a pure state machine: each event returns the new state or throws
/// `.invalidState`, and never performs effects itself.
public struct ContainerState: Codable, Sendable, Equatable {
    /// Docker's state names; `restarting` counts as running.
    public enum Status: String, Codable, Sendable {
        case created, running, exited, removing, restarting
    }

    /// Where the container is in its lifecycle.
    public var status: Status = .created
    /// The container's init process as vchd sees it, while running; 0 otherwise.
    public var pid: Int32 = 0
    /// The last exit status; 128 after a failed start.
    public var exitCode: Int = 0
    /// The last successful start; nil if never started.
    public var startedAt: Date?
    /// The last exit or failed start; nil if neither happened.
    public var finishedAt: Date?
    /// Why the last start failed; cleared by a successful start.
    public var error: String = ""
    /// True once the user stopped or killed it: restart policies other than `always` hold off.
    public var stoppedByUser = false
    /// The ports published while it runs; empty when it is not running.
    public var published: [PublishedPort] = []
    /// Frozen by `docker pause` (it still counts as running, as in Docker).
    public var paused = false
    /// The health check's verdict and its last probes; nil for a container without one.
    public var health: Health?

    /// `State.Health`: "starting" until a probe passes (or enough fail), then "healthy" or
    /// "unhealthy"; the consecutive failures; the last five probes.
    public struct Health: Codable, Sendable, Equatable {
        public enum Status: String, Codable, Sendable { case starting, healthy, unhealthy }

        public struct Probe: Codable, Sendable, Equatable {
            public var start: Date
            public var end: Date
            /// The probe's exit status; -1 when it timed out.
            public var exitCode: Int
            /// What it printed, stdout then stderr, at most 4 KiB.
            public var output: String
        }

        public var status: Status = .starting
        public var failingStreak = 0
        public var log: [Probe] = []

        /// A health check that has not probed yet.
        public init() {}

        /// Records one probe, as dockerd counts them: a pass makes it healthy; failures count
        /// once the start period is over (or once it has been healthy), and `retries` of them
        /// in a row make it unhealthy. Returns whether the status changed.
        public mutating func record(_ probe: Probe, retries: Int, inStartPeriod: Bool) -> Bool {
            let before = status
            log = Array((log + [probe]).suffix(5))
            if probe.exitCode == 0 {
                failingStreak = 0
                status = .healthy
            } else if !(inStartPeriod && status == .starting) {
                failingStreak += 1
                if failingStreak >= retries { status = .unhealthy }
            }
            return status != before
        }
    }

    /// The state of a freshly created container.
    public init() {}

    /// Records written before a field existed decode with its default.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        status = try values.decode(Status.self, forKey: .status)
        pid = try values.decode(Int32.self, forKey: .pid)
        exitCode = try values.decode(Int.self, forKey: .exitCode)
        startedAt = try values.decodeIfPresent(Date.self, forKey: .startedAt)
        finishedAt = try values.decodeIfPresent(Date.self, forKey: .finishedAt)
        error = try values.decode(String.self, forKey: .error)
        stoppedByUser = try values.decode(Bool.self, forKey: .stoppedByUser)
        published = try values.decodeIfPresent([PublishedPort].self, forKey: .published) ?? []
        paused = try values.decodeIfPresent(Bool.self, forKey: .paused) ?? false
        health = try values.decodeIfPresent(Health.self, forKey: .health)
    }

    /// Whether a process is (or is about to be again) running: `running` or `restarting`.
    public var isRunning: Bool { status == .running || status == .restarting }

    /// `start` is allowed from created or exited.
    public mutating func started(pid: Int32, at date: Date) throws {
        guard status == .created || status == .exited || status == .restarting else {
            throw VICError(.invalidState, "container is \(status.rawValue)")
        }
        status = .running
        paused = false
        self.pid = pid
        startedAt = date
        exitCode = 0
        error = ""
        stoppedByUser = false
    }

    public mutating func exited(code: Int, at date: Date) {
        status = .exited
        paused = false
        pid = 0
        published = []
        exitCode = code
        finishedAt = date
    }

    public mutating func failedToStart(_ message: String, at date: Date) {
        status = status == .created ? .created : .exited
        published = []
        error = message
        exitCode = 128
        finishedAt = date
    }

    /// Docker's `Status` column text: "Up 3 minutes", "Exited (0) 2 seconds ago", "Created".
    public func humanStatus(now: Date = Date()) -> String {
        switch status {
        case .created: return "Created"
        case .running:
            let health = self.health.map { $0.status == .starting ? " (health: starting)" : " (\($0.status.rawValue))" } ?? ""
            return "Up \(ContainerState.duration(now.timeIntervalSince(startedAt ?? now)))" + (paused ? " (Paused)" : health)
        case .restarting: return "Restarting (\(exitCode)) \(ContainerState.duration(now.timeIntervalSince(finishedAt ?? now))) ago"
        case .removing: return "Removal In Progress"
        case .exited:
            return "Exited (\(exitCode)) \(ContainerState.duration(now.timeIntervalSince(finishedAt ?? now))) ago"
        }
    }

    /// Go's units.HumanDuration.
    static func duration(_ seconds: TimeInterval) -> String {
        let s = Int(seconds)
        if s < 1 { return "Less than a second" }
        if s == 1 { return "1 second" }
        if s < 60 { return "\(s) seconds" }
        let m = s / 60
        if m == 1 { return "About a minute" }
        if m < 60 { return "\(m) minutes" }
        let h = Int((Double(s) / 3600).rounded())
        if h == 1 { return "About an hour" }
        if h < 48 { return "\(h) hours" }
        if h < 24 * 14 { return "\(h / 24) days" }
        return "\(h / 24 / 7) weeks"
    }
}
