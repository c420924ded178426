import Foundation

/// The subset of the OCI runtime specification (config.json) vic writes. Field names are the
/// spec's own, so the synthesized coding is the wire format.
public struct OCISpec: Codable, Sendable, Equatable {
    public var ociVersion = "1.0.2"
    public var process: Process
    public var root: Root
    public var hostname: String
    public var mounts: [Mount]
    public var linux: Linux

    public struct Process: Codable, Sendable, Equatable {
        public var terminal: Bool
        public var consoleSize: ConsoleSize?
        public var user: User
        public var args: [String]
        public var env: [String]
        public var cwd: String
        public var capabilities: Capabilities
        /// Empty: the container inherits vchd's limits, as with Docker's defaults.
        public var rlimits: [Rlimit]
        public var noNewPrivileges: Bool
    }

    public struct ConsoleSize: Codable, Sendable, Equatable { public var height: Int; public var width: Int }
    public struct User: Codable, Sendable, Equatable {
        public var uid: UInt32
        public var gid: UInt32
        public var additionalGids: [UInt32]?
    }
    public struct Capabilities: Codable, Sendable, Equatable {
        public var bounding: [String]
        public var effective: [String]
        public var permitted: [String]
    }
    public struct Rlimit: Codable, Sendable, Equatable { public var type: String; public var hard: UInt64; public var soft: UInt64 }
    public struct Root: Codable, Sendable, Equatable { public var path: String; public var readonly: Bool }
    public struct Mount: Codable, Sendable, Equatable {
        public var destination: String
        public var type: String?
        public var source: String?
        public var options: [String]?

        /// A mount of `source` (a path, or a file-system name such as "tmpfs") at `destination`.
        public init(destination: String, type: String?, source: String?, options: [String]?) {
            self.destination = destination
            self.type = type
            self.source = source
            self.options = options
        }
    }
    public struct Linux: Codable, Sendable, Equatable {
        public var namespaces: [Namespace]
        public var resources: Resources?
        public var maskedPaths: [String]
        public var readonlyPaths: [String]
        public var sysctl: [String: String]?
        public var seccomp: Seccomp?
    }
    public struct Namespace: Codable, Sendable, Equatable { public var type: String; public var path: String? }
    public struct Resources: Codable, Sendable, Equatable {
        public var memory: Memory?
        public var cpu: CPU?
        public var pids: Pids?
    }
    public struct Memory: Codable, Sendable, Equatable {
        public var limit: Int64?
        public var reservation: Int64? = nil
        public var swap: Int64? = nil
        public var disableOOMKiller: Bool? = nil
    }
    public struct CPU: Codable, Sendable, Equatable {
        public var quota: Int64?
        public var period: UInt64?
        public var shares: UInt64? = nil
        public var cpus: String? = nil
        public var mems: String? = nil
    }
    public struct Pids: Codable, Sendable, Equatable { public var limit: Int64 }

    /// Docker's default capability set.
    public static let defaultCapabilities = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ]
}

/// What a container process needs, in vic's terms; `OCISpec.make` turns it into a spec.
public struct ProcessSettings: Sendable, Equatable {
    public var args: [String]
    public var env: [String]
    public var cwd: String
    public var uid: UInt32
    public var gid: UInt32
    public var terminal: Bool
    public var hostname: String
    public var memoryLimit: Int64?
    /// CPU quota in microseconds per 100 ms period (Docker's --cpus × 100000).
    public var cpuQuota: Int64?
    /// The process's capabilities (bounding, effective and permitted alike).
    public var capabilities: [String] = OCISpec.defaultCapabilities
    /// `--read-only`: the root file system is mounted read-only.
    public var readonlyRoot = false
    /// `--shm-size` in bytes; nil: Docker's 64 MiB.
    public var shmBytes: Int64? = nil
    /// `--security-opt no-new-privileges`.
    public var noNewPrivileges = false
    /// `--pids-limit`, `--cpu-shares`, `--cpuset-*`, `--memory-reservation`.
    public var limits = CgroupLimits()
    /// `--ulimit`: the process's resource limits.
    public var ulimits: [Ulimit] = []
    /// `--sysctl`, already checked to be namespaced (`NamespacedSysctl`).
    public var sysctls: [String: String] = [:]
    /// `--group-add`, as group IDs.
    public var additionalGids: [UInt32] = []
    /// vic's seccomp filter (`defaultSeccomp`); false for `--security-opt seccomp=unconfined`.
    public var seccomp = true

    public init(args: [String], env: [String], cwd: String, uid: UInt32, gid: UInt32, terminal: Bool,
                hostname: String, memoryLimit: Int64? = nil, cpuQuota: Int64? = nil) {
        self.args = args
        self.env = env
        self.cwd = cwd
        self.uid = uid
        self.gid = gid
        self.terminal = terminal
        self.hostname = hostname
        self.memoryLimit = memoryLimit
        self.cpuQuota = cpuQuota
    }
}

extension OCISpec {
    /// The files in /etc that every container gets bind-mounted from its `etcDirectory`.
    public static let boundEtcFiles = ["hosts", "hostname", "resolv.conf"]
    /// Their paths inside the container, where the runtime makes mount points for them.
    public static let boundEtcPaths = Set(boundEtcFiles.map { "/etc/\($0)" })

    /// A spec like Docker's default: its own PID, IPC, UTS and mount namespaces, the given network
    /// namespace, Docker's capabilities, masked /proc paths, and /etc/{hosts,hostname,resolv.conf}
    /// bind-mounted from `etcDirectory`, and `userMounts` (volumes, tmpfs): those two sorted by
    /// the depth of their destination, as Docker sorts them, so a volume at /etc lies under the
    /// bound /etc/hosts and a volume at /data under one at /data/cache.
    public static func make(
        _ settings: ProcessSettings, rootfs: String, networkNamespace: String, etcDirectory: String,
        userMounts: [Mount] = []
    ) -> OCISpec {
        let caps = settings.capabilities
        let limits = settings.limits
        var resources: Resources?
        if settings.memoryLimit != nil || settings.cpuQuota != nil || !limits.isEmpty {
            let memory = settings.memoryLimit != nil || limits.memoryReservation != nil || limits.memorySwap != nil || limits.oomKillDisable != nil
                ? Memory(limit: settings.memoryLimit, reservation: limits.memoryReservation, swap: limits.memorySwap,
                         disableOOMKiller: limits.oomKillDisable)
                : nil
            let cpuSet = settings.cpuQuota != nil || limits.cpuShares != nil || limits.cpusetCpus != nil || limits.cpusetMems != nil
            resources = Resources(
                memory: memory,
                cpu: cpuSet ? CPU(quota: settings.cpuQuota, period: settings.cpuQuota.map { _ in 100_000 },
                                  shares: limits.cpuShares.map(CgroupLimits.shares), cpus: limits.cpusetCpus, mems: limits.cpusetMems)
                    : nil,
                pids: limits.pidsLimit.map { Pids(limit: $0) })
        }
        let etc = boundEtcFiles.map {
            Mount(destination: "/etc/\($0)", type: "bind", source: "\(etcDirectory)/\($0)", options: ["rbind", "rprivate"])
        }
        return OCISpec(
            process: Process(
                terminal: settings.terminal, consoleSize: settings.terminal ? ConsoleSize(height: 24, width: 80) : nil,
                user: User(uid: settings.uid, gid: settings.gid,
                           additionalGids: settings.additionalGids.isEmpty ? nil : settings.additionalGids),
                args: settings.args, env: settings.env, cwd: settings.cwd,
                capabilities: Capabilities(bounding: caps, effective: caps, permitted: caps),
                rlimits: settings.ulimits.map(\.rlimit),
                noNewPrivileges: settings.noNewPrivileges),
            root: Root(path: rootfs, readonly: settings.readonlyRoot),
            hostname: settings.hostname,
            mounts: [
                Mount(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]),
                Mount(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
                Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
                      options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
                Mount(destination: "/dev/shm", type: "tmpfs", source: "shm",
                      options: ["nosuid", "noexec", "nodev", "mode=1777", "size=\(max((settings.shmBytes ?? 64 << 20) / 1024, 1))k"]),
                Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
                Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
            ] + byDepth(userMounts + etc),
            linux: Linux(
                namespaces: [
                    Namespace(type: "pid", path: nil), Namespace(type: "ipc", path: nil),
                    Namespace(type: "uts", path: nil), Namespace(type: "mount", path: nil),
                    Namespace(type: "network", path: networkNamespace),
                ],
                resources: resources,
                maskedPaths: ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                              "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                              "/sys/firmware"],
                readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
                sysctl: settings.sysctls.isEmpty ? nil : settings.sysctls,
                seccomp: settings.seccomp ? defaultSeccomp(capabilities: caps) : nil))
    }

    /// `mounts` with shallower destinations first; equal depths keep their order.
    static func byDepth(_ mounts: [Mount]) -> [Mount] {
        mounts.enumerated().sorted { lhs, rhs in
            let (left, right) = (lhs.element.destination.split(separator: "/").count, rhs.element.destination.split(separator: "/").count)
            return left != right ? left < right : lhs.offset < rhs.offset
        }.map(\.element)
    }
}
