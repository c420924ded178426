import Foundation
import VICCore
import VICSystem

/// What `docker container prune` removed.
public struct PruneReport: Sendable, Equatable {
    /// Full IDs of the removed containers.
    public var deleted: [String] = []
    /// Bytes their writable layers held.
    public var reclaimed: Int64 = 0
}

extension ContainerManager {
    /// Removes every container that is not running (created or exited) and that `matches`
    /// accepts; one that fails to go is logged and kept. Emits Docker's `prune` event.
    public func prune(matching matches: @Sendable (ContainerRecord) -> Bool) async -> PruneReport {
        var report = PruneReport()
        for record in list() where !record.state.isRunning && record.state.status != .removing && matches(record) {
            let size = writableLayer(record.id).upperSize()
            do {
                try await remove(record.id, force: false)
                report.deleted.append(record.id)
                report.reclaimed += size
            } catch {
                logger.warning("prune: could not remove \(record.shortID): \(error)")
            }
        }
        events.emit(EventRecord(type: "container", action: "prune", actorID: "", attributes: ["reclaimed": "\(report.reclaimed)"]))
        return report
    }

}
