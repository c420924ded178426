import Foundation

/// One reading of a container's resource use, from its cgroup and its network namespace.
/// Pure: built from file texts by `ResourceSample.collect`, so it is tested without a container.
public struct ResourceSample: Sendable, Equatable {
    /// Traffic counters of one interface, from /proc/PID/net/dev.
    public struct InterfaceCounters: Sendable, Equatable {
        /// Receive counters: bytes, packets, errors and drops.
        public var rxBytes: UInt64 = 0, rxPackets: UInt64 = 0, rxErrors: UInt64 = 0, rxDropped: UInt64 = 0
        /// Transmit counters: bytes, packets, errors and drops.
        public var txBytes: UInt64 = 0, txPackets: UInt64 = 0, txErrors: UInt64 = 0, txDropped: UInt64 = 0
    }

    /// When it was read, nanoseconds since the Unix epoch.
    public var timeNano: Int64 = 0
    /// CPU time of the container in nanoseconds: total, per CPU (v1 only), kernel and user.
    public var cpuTotal: UInt64 = 0
    /// Per-CPU usage in nanoseconds (cgroup v1 `cpuacct.usage_percpu`); empty on v2.
    public var cpuPerCPU: [UInt64] = []
    /// Kernel-mode CPU time in nanoseconds.
    public var cpuKernel: UInt64 = 0
    /// User-mode CPU time in nanoseconds.
    public var cpuUser: UInt64 = 0
    /// CPU time of the whole host in nanoseconds (Docker's `system_cpu_usage`).
    public var systemCPU: UInt64 = 0
    /// The host's CPUs counted in /proc/stat.
    public var onlineCPUs: Int = 0
    /// Current memory use in bytes (v1 `memory.usage_in_bytes`, v2 `memory.current`).
    public var memoryUsage: UInt64 = 0
    /// Peak memory use in bytes (v1 `memory.max_usage_in_bytes`, v2 `memory.peak`); 0 when unknown.
    public var memoryMaxUsage: UInt64 = 0
    /// The cgroup's limit, or the host's memory when it has none.
    public var memoryLimit: UInt64 = 0
    /// memory.stat, by key (v1 `total_inactive_file`, v2 `inactive_file`…).
    public var memoryStats: [String: UInt64] = [:]
    /// Tasks in the container's cgroup (`pids.current`).
    public var pids: UInt64 = 0
    /// 0 when unlimited.
    public var pidsLimit: UInt64 = 0
    /// By interface name, loopback left out.
    public var networks: [String: InterfaceCounters] = [:]

    /// An all-zero sample; `collect` fills it in.
    public init() {}

    /// Reads a sample for the process `pid` (the container's init) through `read`, which returns
    /// a file's text or nil. Handles cgroup v1 (one hierarchy per controller), v2, and hybrid
    /// hosts (v1 controllers plus an empty unified mount), where v1 wins.
    public static func collect(pid: Int32, ticksPerSecond: UInt64 = 100, timeNano: Int64 = 0,
                               read: (String) -> String?) -> ResourceSample {
        var sample = ResourceSample()
        sample.timeNano = timeNano
        if let stat = read("/proc/stat") { (sample.systemCPU, sample.onlineCPUs) = systemCPU(stat, ticksPerSecond: ticksPerSecond) }
        if let netDev = read("/proc/\(pid)/net/dev") { sample.networks = interfaces(netDev) }
        let hostMemory = read("/proc/meminfo").flatMap(memoryTotal) ?? UInt64.max
        let cgroups = CgroupPaths(procCgroup: read("/proc/\(pid)/cgroup") ?? "", read: read)
        func number(_ path: String?) -> UInt64? { path.flatMap(read).flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }
        func limit(_ path: String?) -> UInt64? {
            guard let text = path.flatMap(read)?.trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
            return text == "max" ? UInt64.max : UInt64(text)
        }
        if let memory = cgroups.v1["memory"] {
            sample.memoryUsage = number("\(memory)/memory.usage_in_bytes") ?? 0
            sample.memoryMaxUsage = number("\(memory)/memory.max_usage_in_bytes") ?? 0
            sample.memoryLimit = limit("\(memory)/memory.limit_in_bytes") ?? UInt64.max
            sample.memoryStats = keyValues(read("\(memory)/memory.stat") ?? "")
        } else if let unified = cgroups.unified {
            sample.memoryUsage = number("\(unified)/memory.current") ?? 0
            sample.memoryMaxUsage = number("\(unified)/memory.peak") ?? 0
            sample.memoryLimit = limit("\(unified)/memory.max") ?? UInt64.max
            sample.memoryStats = keyValues(read("\(unified)/memory.stat") ?? "")
        }
        // Unlimited reads as a huge number: show the host's memory, as Docker does.
        sample.memoryLimit = min(sample.memoryLimit, hostMemory)
        if let cpu = cgroups.v1["cpuacct"] {
            sample.cpuTotal = number("\(cpu)/cpuacct.usage") ?? 0
            sample.cpuPerCPU = (read("\(cpu)/cpuacct.usage_percpu") ?? "").split(whereSeparator: \.isWhitespace).compactMap { UInt64($0) }
            let ticks = keyValues(read("\(cpu)/cpuacct.stat") ?? "")
            let toNanos = 1_000_000_000 / max(ticksPerSecond, 1)
            sample.cpuUser = (ticks["user"] ?? 0) * toNanos
            sample.cpuKernel = (ticks["system"] ?? 0) * toNanos
        } else if let unified = cgroups.unified {
            let stat = keyValues(read("\(unified)/cpu.stat") ?? "")
            sample.cpuTotal = (stat["usage_usec"] ?? 0) * 1000
            sample.cpuUser = (stat["user_usec"] ?? 0) * 1000
            sample.cpuKernel = (stat["system_usec"] ?? 0) * 1000
        }
        if let pids = cgroups.v1["pids"] ?? cgroups.unified {
            sample.pids = number("\(pids)/pids.current") ?? 0
            let max = limit("\(pids)/pids.max") ?? UInt64.max
            sample.pidsLimit = max == UInt64.max ? 0 : max
        }
        return sample
    }

    /// Host CPU time in nanoseconds (user to softirq of the `cpu` line, as Docker sums it) and
    /// the number of CPUs, from /proc/stat.
    static func systemCPU(_ text: String, ticksPerSecond: UInt64) -> (UInt64, Int) {
        var total: UInt64 = 0
        var cpus = 0
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let first = fields.first else { continue }
            if first == "cpu" {
                total = fields.dropFirst().prefix(7).compactMap { UInt64($0) }.reduce(0, +)
            } else if first.hasPrefix("cpu") {
                cpus += 1
            }
        }
        return (total * (1_000_000_000 / max(ticksPerSecond, 1)), cpus)
    }

    /// /proc/PID/net/dev by interface, without `lo`.
    static func interfaces(_ text: String) -> [String: InterfaceCounters] {
        var result: [String: InterfaceCounters] = [:]
        for line in text.split(separator: "\n") {
            let halves = line.split(separator: ":", maxSplits: 1)
            guard halves.count == 2 else { continue }
            let name = halves[0].trimmingCharacters(in: .whitespaces)
            let values = halves[1].split(whereSeparator: \.isWhitespace).compactMap { UInt64($0) }
            guard name != "lo", values.count >= 12 else { continue }
            result[name] = InterfaceCounters(
                rxBytes: values[0], rxPackets: values[1], rxErrors: values[2], rxDropped: values[3],
                txBytes: values[8], txPackets: values[9], txErrors: values[10], txDropped: values[11])
        }
        return result
    }

    /// "key value" lines (memory.stat, cpu.stat, cpuacct.stat).
    static func keyValues(_ text: String) -> [String: UInt64] {
        var result: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let value = UInt64(fields[1]) { result[String(fields[0])] = value }
        }
        return result
    }

    /// MemTotal from /proc/meminfo, in bytes.
    static func memoryTotal(_ text: String) -> UInt64? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }) else { return nil }
        let fields = line.split(whereSeparator: \.isWhitespace)
        return fields.count >= 2 ? UInt64(fields[1]).map { $0 * 1024 } : nil
    }
}

/// Where a process's cgroups are, from /proc/PID/cgroup: one directory per v1 controller and
/// the v2 (unified) directory.
struct CgroupPaths: Equatable {
    var v1: [String: String] = [:]
    var unified: String?

    /// `read` tells which candidate directories exist (a v1 hierarchy may be mounted under its
    /// own name or a joined one like `cpu,cpuacct`).
    init(procCgroup: String, read: (String) -> String?, mountRoot: String = "/sys/fs/cgroup") {
        let pureV2 = read("\(mountRoot)/cgroup.controllers") != nil
        for line in procCgroup.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let path = fields[2] == "/" ? "" : String(fields[2])
            if fields[1].isEmpty {
                unified = pureV2 ? "\(mountRoot)\(path)" : "\(mountRoot)/unified\(path)"
                continue
            }
            let controllers = fields[1].split(separator: ",").map(String.init)
            for controller in controllers {
                let candidates = ["\(mountRoot)/\(fields[1])\(path)", "\(mountRoot)/\(controller)\(path)"]
                v1[controller] = candidates.first { read("\($0)/cgroup.procs") != nil } ?? candidates[1]
            }
        }
        // On a hybrid host the unified hierarchy holds no controllers: use it only without v1.
        if !pureV2 && !v1.isEmpty && unified.map({ read("\($0)/memory.current") == nil }) == true { unified = nil }
    }

    /// The directory whose cgroup.procs lists the container's processes.
    var processDirectory: String? { v1["pids"] ?? v1["memory"] ?? v1["cpuacct"] ?? unified }
}
