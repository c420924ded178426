import Foundation
import VICSystem
import VICCore

/// The cgroup settings of a container beyond its memory limit and CPU quota, as `docker run`
/// and `docker update` give them. Nil leaves a setting at the kernel's default (unlimited).
public struct CgroupLimits: Codable, Sendable, Equatable {
    /// `--pids-limit`: at most this many tasks.
    public var pidsLimit: Int64?
    /// `--cpu-shares`: the relative CPU weight (1024 is Docker's default); `shares` clamps it.
    public var cpuShares: Int64?

    /// The shares as the kernel takes them: 2 to 262144, as dockerd clamps them.
    public static func shares(_ value: Int64) -> UInt64 { UInt64(min(max(value, 2), 262_144)) }
    /// `--cpuset-cpus`: the CPUs it may run on, as the kernel writes them ("0-1,3").
    public var cpusetCpus: String?
    /// `--cpuset-mems`: the memory nodes it may use.
    public var cpusetMems: String?
    /// `--memory-reservation`: the soft memory limit, in bytes.
    public var memoryReservation: Int64?
    /// `--memory-swap`: memory plus swap, in bytes; -1 is unlimited swap.
    public var memorySwap: Int64?
    /// `--oom-kill-disable`: the kernel's OOM killer leaves the container alone (cgroup v1).
    public var oomKillDisable: Bool?

    /// No limits.
    public init(pidsLimit: Int64? = nil, cpuShares: Int64? = nil, cpusetCpus: String? = nil, cpusetMems: String? = nil,
                memoryReservation: Int64? = nil, memorySwap: Int64? = nil, oomKillDisable: Bool? = nil) {
        self.pidsLimit = pidsLimit
        self.cpuShares = cpuShares
        self.cpusetCpus = cpusetCpus
        self.cpusetMems = cpusetMems
        self.memoryReservation = memoryReservation
        self.memorySwap = memorySwap
        self.oomKillDisable = oomKillDisable
    }

    /// Whether nothing is set.
    public var isEmpty: Bool { self == CgroupLimits() }

    /// These limits with the settings `update` gives replacing theirs (`docker update`).
    public func merging(_ update: CgroupLimits) -> CgroupLimits {
        CgroupLimits(pidsLimit: update.pidsLimit ?? pidsLimit, cpuShares: update.cpuShares ?? cpuShares,
                     cpusetCpus: update.cpusetCpus ?? cpusetCpus, cpusetMems: update.cpusetMems ?? cpusetMems,
                     memoryReservation: update.memoryReservation ?? memoryReservation, memorySwap: update.memorySwap ?? memorySwap,
                     oomKillDisable: update.oomKillDisable ?? oomKillDisable)
    }

    /// Whether `text` is a CPU or memory-node list the kernel takes: "0", "0-3", "0,2-3", with
    /// numbers below 65536 (more than any kernel's CPUs).
    public static func isCPUList(_ text: String) -> Bool {
        !text.isEmpty && text.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { part in
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count),
                  bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && (UInt32($0) ?? .max) < 65_536 })
            else { return false }
            return bounds.count == 1 || (UInt32(bounds[0]) ?? 0) <= (UInt32(bounds[1]) ?? 0)
        }
    }

    /// The numbers a CPU list names ("0-2,5" → 0, 1, 2, 5); empty for a malformed list.
    public static func members(of list: String) -> Set<UInt32> {
        guard isCPUList(list) else { return [] }
        var result: Set<UInt32> = []
        for part in list.split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { UInt32($0) }
            guard let low = bounds.first, let high = bounds.last else { continue }
            result.formUnion(low...high)
        }
        return result
    }
}

/// One `--ulimit NAME=SOFT[:HARD]`: a resource limit of the container's processes.
public struct Ulimit: Codable, Sendable, Equatable {
    /// Docker's name: "nofile", "nproc", "core", ….
    public var name: String
    public var soft: Int64
    public var hard: Int64

    /// The limits a process may have, by Docker's names.
    public static let names: Set<String> = [
        "as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss",
        "rtprio", "rttime", "sigpending", "stack",
    ]

    /// Checks the name and that soft ≤ hard; throws Docker's 400 otherwise. -1 is unlimited.
    public init(name: String, soft: Int64, hard: Int64) throws {
        guard Self.names.contains(name) else { throw VICError(.invalidArgument, "invalid ulimit type: \(name)") }
        guard soft >= -1, hard >= -1 else { throw VICError(.invalidArgument, "invalid ulimit \(name): values must be -1 or more") }
        if hard != -1 && (soft == -1 || soft > hard) {
            throw VICError(.invalidArgument, "ulimit soft limit must be less than or equal to hard limit: \(soft) > \(hard)")
        }
        self.name = name
        self.soft = soft
        self.hard = hard
    }

    /// The OCI spec's entry: `RLIMIT_NOFILE`, with -1 as the kernel's infinity.
    var rlimit: OCISpec.Rlimit {
        OCISpec.Rlimit(type: "RLIMIT_" + name.uppercased(), hard: hard < 0 ? UInt64.max : UInt64(hard), soft: soft < 0 ? UInt64.max : UInt64(soft))
    }
}

/// The kernel settings a container may change in its own namespaces (`--sysctl`), as Docker
/// allows them: IPC (`kernel.msg*`, `kernel.sem`, `kernel.shm*`, `fs.mqueue.*`) and its network
/// namespace (`net.*`). Anything else would change the VCH's host.
public enum NamespacedSysctl {
    static let ipc: Set<String> = ["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
                                   "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"]

    /// Throws Docker's 400 for a key outside the container's namespaces, or `net.*` for a
    /// container with no network namespace of its own to hold it (`--net none` has one; host
    /// networking does not exist in vic).
    public static func validate(_ key: String) throws {
        guard ipc.contains(key) || key.hasPrefix("fs.mqueue.") || key.hasPrefix("net."), !key.contains("/"), !key.contains("..") else {
            throw VICError(.invalidArgument, "sysctl '\(key)' is not allowed: only namespaced ones (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*) may be set in a container")
        }
    }
}

extension CgroupLimits {
    /// The host's online CPUs ("0-1"), which `--cpuset-cpus` must lie in; nil when unknown.
    public static var onlineCPUs: String? { online("/sys/devices/system/cpu/online") }
    /// The host's online memory nodes, which `--cpuset-mems` must lie in; nil when unknown.
    public static var onlineNodes: String? { online("/sys/devices/system/node/online") }

    static func online(_ path: String) -> String? {
        FileSystem.readKernelFile(path).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}
