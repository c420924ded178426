import VICCore
import VICRuntime

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
        let given: [(String, Bool)] = [("--blkio-weight", (BlkioWeight ?? 0) != 0)]
        return given.filter(\.1).map(\.0)
    }

    /// `--pids-limit`, `--cpu-shares`, `--cpuset-cpus`, `--cpuset-mems`, `--memory-reservation`
    /// and `--memory-swap` (which needs `-m`), checked as dockerd checks them. Zero and empty
    /// values are "not given" (the CLI sends them for every flag left out), but for the pids
    /// limit, sent only when given: 0 or -1 is "unlimited", nothing to set at create and the
    /// limit lifted at update (`forUpdate`). `onlineCPUs` and `onlineNodes` are the host's lists
    /// (/sys/devices/system/…/online) that cpusets must lie in.
    func cgroupLimits(forUpdate: Bool = false, onlineCPUs: String? = nil, onlineNodes: String? = nil) throws -> CgroupLimits {
        var limits = CgroupLimits()
        // The CLI sends a pids limit only when given: 0 and -1 both mean "unlimited".
        if let pids = PidsLimit, pids > 0 || forUpdate { limits.pidsLimit = pids > 0 ? pids : -1 }
        if let shares = CpuShares, shares != 0 {
            guard shares > 0 else { throw VICError(.invalidArgument, "invalid CPU shares \(shares): must be positive") }
            limits.cpuShares = shares
        }
        limits.cpusetCpus = try Self.cpuset(CpusetCpus, online: onlineCPUs, what: "CPUs", flag: "--cpuset-cpus")
        limits.cpusetMems = try Self.cpuset(CpusetMems, online: onlineNodes, what: "memory nodes", flag: "--cpuset-mems")
        if let reservation = MemoryReservation, reservation > 0 {
            guard reservation >= 6 * 1024 * 1024 else { throw VICError(.invalidArgument, "Minimum memory reservation allowed is 6MB") }
            if let memory = Memory, memory > 0, memory < reservation {
                throw VICError(.invalidArgument, "Minimum memory limit can not be less than memory reservation limit, see usage")
            }
            limits.memoryReservation = reservation
        }
        if let swap = MemorySwap, swap != 0 {
            // An update may change the swap alone: the container's memory limit stands.
            let memory = Memory ?? 0
            guard memory > 0 || forUpdate else {
                throw VICError(.invalidArgument, "You should always set the Memory limit when using Memoryswap limit, see usage")
            }
            guard swap == -1 || memory <= 0 || swap >= memory else {
                throw VICError(.invalidArgument, "Minimum memoryswap limit should be larger than memory limit, see usage")
            }
            limits.memorySwap = swap
        }
        return limits
    }

    /// A cpuset list: well formed, and inside the host's online list when it is known.
    static func cpuset(_ text: String?, online: String?, what: String, flag: String) throws -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard CgroupLimits.isCPUList(text) else { throw VICError(.invalidArgument, "invalid value \(text) for \(flag)") }
        if let online, !CgroupLimits.members(of: text).isSubset(of: CgroupLimits.members(of: online)) {
            throw VICError(.invalidArgument, "Requested \(what) are not available - requested \(text), available: \(online)")
        }
        return text
    }
}

extension DockerContainerCreate.Host: DockerResources {}
