import Foundation
import VICCore
import VICImage
import VICRuntime
import VICSystem

/// Health checks (`HEALTHCHECK`, `--health-cmd`): while a container with one runs, its probe runs
/// in it every interval (every start interval during the start period), as an exec through the
/// runtime, and `State.Health` follows dockerd's counting (`ContainerState.Health.record`).
extension ContainerManager {
    /// Starts probing a running container that has a health check; its health starts over as
    /// "starting". A second call replaces the first loop.
    func startHealthChecks(_ id: String, resetting: Bool = true) {
        guard var record = records[id], let check = record.config.healthcheck, check.isEnabled else { return }
        if resetting || record.state.health == nil {
            record.state.health = ContainerState.Health()
            try? save(record)
        }
        healthChecks[id]?.cancel()
        // The start period counts from the container's start, also for one re-adopted later.
        let running = Date().timeIntervalSince(record.state.startedAt ?? Date())
        healthChecks[id] = Task {
            let clock = ContinuousClock()
            let started = clock.now - .milliseconds(Int64(max(running, 0) * 1000))
            while !Task.isCancelled {
                let inStartPeriod = clock.now - started < check.startPeriod
                let starting = self.records[id]?.state.health?.status == .starting
                try? await Task.sleep(for: inStartPeriod && starting ? check.startInterval : check.interval)
                guard !Task.isCancelled else { return }
                await self.probeHealth(id, check, inStartPeriod: clock.now - started < check.startPeriod)
            }
        }
    }

    /// A duration as Go prints one, as dockerd's messages show it: "30s", "1.5s", "300ms".
    static func goDuration(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        let seconds = Double(milliseconds) / 1000
        return seconds == seconds.rounded() ? "\(Int64(seconds))s" : "\(seconds)s"
    }

    /// Stops probing (the container stopped or is removed).
    func stopHealthChecks(_ id: String) {
        healthChecks.removeValue(forKey: id)?.cancel()
    }

    /// One probe: skipped while the container is paused or not running; recorded, persisted,
    /// and a `health_status` event when the status changes.
    func probeHealth(_ id: String, _ check: ImageConfiguration.HealthConfig, inStartPeriod: Bool) async {
        guard let record = records[id], record.state.status == .running, !record.state.paused else { return }
        let start = Date()
        var code: Int32?
        var output: String
        do {
            let process = try execProcess(ExecRequest(cmd: check.argv(shell: record.config.shell), attachStdout: false, attachStderr: false),
                                          container: record)
            let path = "\(directory(id))/health-process.json"
            try AtomicFile.write(try JSONEncoder().encode(process), to: path, mode: 0o600, durability: .atomic)
            (code, output) = try await runtime.execCapturing(id, process: path, timeout: check.timeout)
            if code == nil { output = "Health check exceeded timeout (\(Self.goDuration(check.timeout)))" }
        } catch {
            code = 1
            output = (error as? VICError)?.message ?? "\(error)"
        }
        let probe = ContainerState.Health.Probe(start: start, end: Date(), exitCode: code.map(Int.init) ?? -1,
                                                output: String(decoding: output.utf8.prefix(4096), as: UTF8.self))
        guard var current = records[id], current.state.status == .running, var health = current.state.health else { return }
        let changed = health.record(probe, retries: check.retries, inStartPeriod: inStartPeriod)
        current.state.health = health
        try? save(current)
        if changed { emit("health_status: \(health.status.rawValue)", current) }
    }
}
