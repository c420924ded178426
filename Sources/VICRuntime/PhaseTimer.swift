import Foundation

/// Elapsed time of the phases of one operation (a container start, an exit), for a debug log
/// line such as `resolve 0.4 ms, mount 1.2 ms, … (total 31.0 ms)`. Cheap enough to run always:
/// one clock read per phase.
public struct PhaseTimer: Sendable {
    private let clock = ContinuousClock()
    private let begin: ContinuousClock.Instant
    private var last: ContinuousClock.Instant
    private var phases: [(name: String, elapsed: Duration)] = []

    public init() {
        begin = clock.now
        last = begin
    }

    /// Ends the current phase under `name`; the next one starts now.
    public mutating func mark(_ name: String) {
        let now = clock.now
        phases.append((name, now - last))
        last = now
    }

    /// Every phase with its milliseconds, then the total since `init`.
    public var summary: String {
        func milliseconds(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            return String(format: "%.1f ms", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
        }
        let parts = phases.map { "\($0.name) \(milliseconds($0.elapsed))" }
        return parts.joined(separator: ", ") + " (total \(milliseconds(last - begin)))"
    }
}
