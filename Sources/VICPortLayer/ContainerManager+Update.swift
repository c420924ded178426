import Foundation
import VICCore
import VICRuntime

/// What `docker update` changes; nil leaves a setting as it is.
public struct ContainerUpdate: Sendable, Equatable {
    public var restartPolicy: RestartPolicy?
    /// Bytes; 0 lifts the limit.
    public var memoryBytes: Int64?
    /// Billionths of a CPU; 0 lifts the limit.
    public var nanoCPUs: Int64?
    /// `--pids-limit` (-1 lifts it), `--cpu-shares`, `--cpuset-*`, `--memory-reservation`.
    public var limits: CgroupLimits

    public init(restartPolicy: RestartPolicy? = nil, memoryBytes: Int64? = nil, nanoCPUs: Int64? = nil,
                limits: CgroupLimits = CgroupLimits()) {
        self.restartPolicy = restartPolicy
        self.memoryBytes = memoryBytes
        self.nanoCPUs = nanoCPUs
        self.limits = limits
    }
}

extension ContainerManager {
    /// `docker update`: a new restart policy, memory or CPU limit, or cgroup limits. A running container's
    /// limits change at once (the runtime's `update`); a stopped one's at its next start. Throws
    /// `.invalidArgument` for a restart policy on a `--rm` container (dockerd's words), and the
    /// runtime's error when the kernel refuses a limit; the record changes only when all of it
    /// took.
    public func update(_ reference: String, _ update: ContainerUpdate) async throws {
        let record = try record(reference)
        if let policy = update.restartPolicy, policy.name != .no, record.host.autoRemove {
            throw VICError(.invalidArgument, "Restart policy cannot be updated because AutoRemove is enabled for the container")
        }
        try Self.checkMemory(after: update, on: record.host)
        if record.state.status == .running && (update.memoryBytes != nil || update.nanoCPUs != nil || !update.limits.isEmpty) {
            try await runtime.update(record.id, memoryLimit: update.memoryBytes,
                                     cpuQuota: update.nanoCPUs.map { $0 > 0 ? max($0 / 10_000, 1_000) : 0 }, limits: update.limits)
        }
        guard var current = records[record.id] else { throw VICError(.notFound, "No such container: \(reference)") }
        if let policy = update.restartPolicy { current.host.restartPolicy = policy }
        if let memory = update.memoryBytes { current.host.memoryBytes = memory > 0 ? memory : nil }
        if let cpus = update.nanoCPUs { current.host.nanoCPUs = cpus > 0 ? cpus : nil }
        current.host.limits = current.host.limits.merging(update.limits)
        if let pids = current.host.limits.pidsLimit, pids <= 0 { current.host.limits.pidsLimit = nil }
        try save(current)
        emit("update", current)
    }

    /// The memory settings the container would have after `update`, checked together as dockerd
    /// checks them, so that a stopped container is not left with limits its next start fails on.
    static func checkMemory(after update: ContainerUpdate, on host: HostSettings) throws {
        let memory = update.memoryBytes.map { $0 > 0 ? $0 : nil } ?? host.memoryBytes
        let swap = update.limits.memorySwap ?? host.limits.memorySwap
        let reservation = update.limits.memoryReservation ?? host.limits.memoryReservation
        if let swap, swap > 0 {
            guard let memory else {
                throw VICError(.invalidArgument, "You should always set the Memory limit when using Memoryswap limit, see usage")
            }
            guard memory <= swap else {
                throw VICError(.invalidArgument, "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time")
            }
        }
        if let memory, let reservation, reservation > memory {
            throw VICError(.invalidArgument, "Minimum memory limit can not be less than memory reservation limit, see usage")
        }
    }
}
