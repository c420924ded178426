import Foundation
import VICCore
import VICRuntime

extension ContainerManager {
    /// `docker pause`: freezes every process of a running container (the runtime's cgroup
    /// freezer). It still counts as running; `ps` shows "Up … (Paused)". Throws `.conflict` with
    /// dockerd's words when it is not running or already paused.
    public func pause(_ reference: String) async throws {
        let record = try record(reference)
        guard record.state.status == .running else { throw VICError(.conflict, "Container \(record.id) is not running") }
        guard !record.state.paused else { throw VICError(.conflict, "Container \(record.id) is already paused") }
        try await runtime.pause(record.id)
        try markPaused(record.id, true)
        emit("pause", record)
    }

    /// `docker unpause`: thaws a paused container. Throws `.conflict` when it is not paused.
    public func unpause(_ reference: String) async throws {
        let record = try record(reference)
        guard record.state.status == .running, record.state.paused else {
            throw VICError(.conflict, "Container \(record.id) is not paused")
        }
        try await runtime.resume(record.id)
        try markPaused(record.id, false)
        emit("unpause", record)
    }

    /// After a signal that ends the container (its stop signal or SIGKILL) reached a paused
    /// container, thaws it so the signal is handled, as dockerd does; other signals wait for
    /// `docker unpause`.
    func thawAfterEndingSignal(_ id: String, signal: Int32) async {
        guard let record = records[id], record.state.paused else { return }
        let stopSignal = record.config.stopSignalNumber
        guard signal == SIGKILL || signal == stopSignal else { return }
        do {
            try await runtime.resume(id)
            try markPaused(id, false)
        } catch {
            logger.warning("thaw \(Identifier.short(id)) after signal \(signal): \(error)")
        }
    }

    /// Records the paused flag on the current record (it may have changed across an await).
    func markPaused(_ id: String, _ paused: Bool) throws {
        guard var record = records[id], record.state.status == .running else { return }
        record.state.paused = paused
        try save(record)
    }
}
