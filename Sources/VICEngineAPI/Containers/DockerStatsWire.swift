import Foundation
import VICPortLayer

/// `GET /containers/{id}/stats` (Docker's StatsResponse, the Linux fields), snake_case as
/// Docker sends it.
struct DockerStats: Encodable {
    struct CPUUsage: Encodable {
        var total_usage: UInt64 = 0
        var percpu_usage: [UInt64]?
        var usage_in_kernelmode: UInt64 = 0
        var usage_in_usermode: UInt64 = 0
    }

    struct Throttling: Encodable {
        var periods: UInt64 = 0
        var throttled_periods: UInt64 = 0
        var throttled_time: UInt64 = 0
    }

    struct CPUStats: Encodable {
        var cpu_usage = CPUUsage()
        var system_cpu_usage: UInt64 = 0
        var online_cpus: Int = 0
        var throttling_data = Throttling()
    }

    struct MemoryStats: Encodable {
        var usage: UInt64 = 0
        var max_usage: UInt64?
        var stats: [String: UInt64] = [:]
        var limit: UInt64 = 0
    }

    struct PidsStats: Encodable {
        var current: UInt64 = 0
        var limit: UInt64?
    }

    struct BlkioStats: Encodable {
        var io_service_bytes_recursive = ExplicitNull<[String]>(nil)
        var io_serviced_recursive = ExplicitNull<[String]>(nil)
        var io_queue_recursive = ExplicitNull<[String]>(nil)
        var io_service_time_recursive = ExplicitNull<[String]>(nil)
        var io_wait_time_recursive = ExplicitNull<[String]>(nil)
        var io_merged_recursive = ExplicitNull<[String]>(nil)
        var io_time_recursive = ExplicitNull<[String]>(nil)
        var sectors_recursive = ExplicitNull<[String]>(nil)
    }

    struct Network: Encodable {
        var rx_bytes: UInt64, rx_packets: UInt64, rx_errors: UInt64, rx_dropped: UInt64
        var tx_bytes: UInt64, tx_packets: UInt64, tx_errors: UInt64, tx_dropped: UInt64
    }

    struct Storage: Encodable {}

    var name: String
    var id: String
    var read: String
    var preread: String
    var pids_stats = PidsStats()
    var blkio_stats = BlkioStats()
    var num_procs = 0
    var storage_stats = Storage()
    var cpu_stats = CPUStats()
    var precpu_stats = CPUStats()
    var memory_stats = MemoryStats()
    var networks: [String: Network]?

    /// Zero time in Go's encoding, for a sample never taken.
    static let zeroTime = "0001-01-01T00:00:00Z"

    /// A response for `sample` (nil for a container that is not running) with the CPU figures of
    /// `previous` as `precpu_stats`, from which the CLI computes the CPU percentage.
    init(name: String, id: String, sample: ResourceSample?, previous: ResourceSample?) {
        self.name = "/" + name
        self.id = id
        read = sample.map { Self.time($0.timeNano) } ?? Self.zeroTime
        preread = previous.map { Self.time($0.timeNano) } ?? Self.zeroTime
        guard let sample else { return }
        cpu_stats = Self.cpu(sample)
        if let previous { precpu_stats = Self.cpu(previous) }
        memory_stats = MemoryStats(usage: sample.memoryUsage, max_usage: sample.memoryMaxUsage == 0 ? nil : sample.memoryMaxUsage,
                                   stats: sample.memoryStats, limit: sample.memoryLimit)
        pids_stats = PidsStats(current: sample.pids, limit: sample.pidsLimit == 0 ? nil : sample.pidsLimit)
        networks = sample.networks.mapValues {
            Network(rx_bytes: $0.rxBytes, rx_packets: $0.rxPackets, rx_errors: $0.rxErrors, rx_dropped: $0.rxDropped,
                    tx_bytes: $0.txBytes, tx_packets: $0.txPackets, tx_errors: $0.txErrors, tx_dropped: $0.txDropped)
        }
    }

    static func cpu(_ sample: ResourceSample) -> CPUStats {
        CPUStats(
            cpu_usage: CPUUsage(total_usage: sample.cpuTotal, percpu_usage: sample.cpuPerCPU.isEmpty ? nil : sample.cpuPerCPU,
                                usage_in_kernelmode: sample.cpuKernel, usage_in_usermode: sample.cpuUser),
            system_cpu_usage: sample.systemCPU, online_cpus: sample.onlineCPUs)
    }

    static func time(_ nanos: Int64) -> String {
        let seconds = nanos / 1_000_000_000
        let base = RFC3339.nano(Date(timeIntervalSince1970: TimeInterval(seconds)))
        let prefix = base.hasSuffix("Z") ? String(base.dropLast()) : base
        return prefix + "." + String(format: "%09lld", nanos % 1_000_000_000) + "Z"
    }
}
