import VICCore

/// Docker's resource fields, which the create body's HostConfig and the update body share:
/// read and checked in one place for both.
protocol DockerResources {
    var Memory: Int64? { get }
    var NanoCpus: Int64? { get }
    var CpuQuota: Int64? { get }
    var CpuPeriod: Int64? { get }
    var PidsLimit: Int64? { get }
    var MemorySwap: Int64? { get }
    var MemoryReservation: Int64? { get }
    var CpuShares: Int64? { get }
    var CpusetCpus: String? { get }
    var CpusetMems: String? { get }
    var BlkioWeight: Int64? { get }
}

extension DockerResources {
    /// `-m` in bytes, nil when not set (0); throws dockerd's error for a limit under 6 MB.
    func memoryLimit() throws -> Int64? {
        guard let memory = Memory, memory != 0 else { return nil }
        guard memory >= 6 * 1024 * 1024 else { throw VICError(.invalidArgument, "Minimum memory limit allowed is 6MB") }
        return memory
    }

    /// `--cpus` in billionths of a CPU: `NanoCpus` when set, else `--cpu-quota` over
    /// `--cpu-period`; nil when neither is (the CLI sends zeros for what it was not given).
    var nanoCPUs: Int64? {
        if let cpus = NanoCpus, cpus != 0 { return cpus }
        guard let quota = CpuQuota, quota > 0 else { return nil }
        return quota * 1_000_000_000 / max(CpuPeriod ?? 100_000, 1)
    }

    /// The resource flags given that vic does not set, as the CLI names them; Docker's zero
    /// defaults (and an unlimited `--memory-swap -1`) are not given.
    var unmanagedFlags: [String] {
        let given: [(String, Bool)] = [
            ("--pids-limit", (PidsLimit ?? 0) > 0), ("--memory-swap", (MemorySwap ?? 0) > 0),
            ("--memory-reservation", (MemoryReservation ?? 0) > 0), ("--cpu-shares", (CpuShares ?? 0) != 0),
            ("--cpuset-cpus", !(CpusetCpus ?? "").isEmpty), ("--cpuset-mems", !(CpusetMems ?? "").isEmpty),
            ("--blkio-weight", (BlkioWeight ?? 0) != 0),
        ]
        return given.filter(\.1).map(\.0)
    }
}

extension DockerContainerCreate.Host: DockerResources {}
