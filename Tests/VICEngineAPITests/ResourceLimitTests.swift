import Foundation
import Testing
import VICCore
@testable import VICEngineAPI
@testable import VICPortLayer
@testable import VICRuntime

/// `--pids-limit`, `--cpu-shares`, `--cpuset-*`, `--memory-reservation`, `--ulimit`, `--sysctl`
/// and `--group-add`: their checks and the OCI spec they become.
@Suite struct ResourceLimitTests {
    @Test(arguments: [("0", true), ("0-3", true), ("0,2-3,7", true), ("", false), ("3-1", false), ("a", false), ("0,", false), ("-1", false),
                      ("1-2-3", false), ("0-70000", false), ("65535", true)])
    func cpuLists(_ text: String, _ valid: Bool) {
        #expect(CgroupLimits.isCPUList(text) == valid)
    }

    @Test func cpuListMembersAndMerging() {
        #expect(CgroupLimits.members(of: "0-2,5") == [0, 1, 2, 5])
        #expect(CgroupLimits.members(of: "bad").isEmpty)
        let merged = CgroupLimits(pidsLimit: 10, cpuShares: 512).merging(CgroupLimits(cpuShares: 256, cpusetCpus: "0"))
        #expect(merged == CgroupLimits(pidsLimit: 10, cpuShares: 256, cpusetCpus: "0"))
        #expect(CgroupLimits().isEmpty && !merged.isEmpty)
        #expect(CgroupLimits.shares(1) == 2 && CgroupLimits.shares(1 << 40) == 262_144 && CgroupLimits.shares(512) == 512)
    }

    @Test func ulimitsAreCheckedAndBecomeRlimits() throws {
        let nofile = try Ulimit(name: "nofile", soft: 1024, hard: 2048)
        #expect(nofile.rlimit == OCISpec.Rlimit(type: "RLIMIT_NOFILE", hard: 2048, soft: 1024))
        #expect(try Ulimit(name: "core", soft: -1, hard: -1).rlimit.hard == UInt64.max)
        for (name, soft, hard) in [("bogus", Int64(1), Int64(1)), ("nofile", 2048, 1024), ("nproc", -1, 10), ("stack", -2, 1)] {
            #expect(throws: VICError.self, "\(name) \(soft):\(hard)") { try Ulimit(name: name, soft: soft, hard: hard) }
        }
    }

    @Test(arguments: [("net.core.somaxconn", true), ("net.ipv4.ip_forward", true), ("kernel.shmmax", true), ("kernel.sem", true),
                      ("fs.mqueue.msg_max", true), ("kernel.hostname", false), ("vm.swappiness", false), ("kernel.panic", false),
                      ("net/../vm/swappiness", false)])
    func sysctls(_ key: String, _ allowed: Bool) {
        #expect(((try? NamespacedSysctl.validate(key)) != nil) == allowed)
    }

    @Test func theSpecCarriesLimitsUlimitsSysctlsAndGroups() throws {
        var settings = ProcessSettings(args: ["sh"], env: [], cwd: "/", uid: 0, gid: 0, terminal: false, hostname: "h")
        #expect(OCISpec.make(settings, rootfs: "/r", networkNamespace: "/n", etcDirectory: "/e").linux.resources == nil)
        settings.limits = CgroupLimits(pidsLimit: 20, cpuShares: 1, cpusetCpus: "0", cpusetMems: "0", memoryReservation: 32 << 20)
        settings.ulimits = [try Ulimit(name: "nofile", soft: 10, hard: 20)]
        settings.sysctls = ["net.core.somaxconn": "1000"]
        settings.additionalGids = [123, 65534]
        let spec = OCISpec.make(settings, rootfs: "/r", networkNamespace: "/n", etcDirectory: "/e")
        let resources = try #require(spec.linux.resources)
        #expect(resources.pids == OCISpec.Pids(limit: 20))
        #expect(resources.cpu == OCISpec.CPU(quota: nil, period: nil, shares: 2, cpus: "0", mems: "0"), "shares are at least 2, as the kernel's minimum")
        #expect(resources.memory == OCISpec.Memory(limit: nil, reservation: 32 << 20))
        #expect(spec.process.rlimits == [OCISpec.Rlimit(type: "RLIMIT_NOFILE", hard: 20, soft: 10)])
        #expect(spec.linux.sysctl == ["net.core.somaxconn": "1000"])
        #expect(spec.process.user.additionalGids == [123, 65534])
        settings.limits = CgroupLimits(memorySwap: -1, oomKillDisable: true)
        let unkillable = OCISpec.make(settings, rootfs: "/r", networkNamespace: "/n", etcDirectory: "/e")
        #expect(unkillable.linux.resources?.memory == OCISpec.Memory(limit: nil, reservation: nil, swap: -1, disableOOMKiller: true))
    }

    struct Resources: DockerResources {
        var Memory: Int64?
        var NanoCpus: Int64?
        var CpuQuota: Int64?
        var CpuPeriod: Int64?
        var PidsLimit: Int64?
        var MemorySwap: Int64?
        var MemoryReservation: Int64?
        var CpuShares: Int64?
        var CpusetCpus: String?
        var CpusetMems: String?
        var BlkioWeight: Int64?
    }

    @Test func dockerResourcesAsDockerdChecksThem() throws {
        var given = Resources()
        #expect(try given.cgroupLimits().isEmpty)
        given.PidsLimit = -1
        #expect(try given.cgroupLimits().pidsLimit == nil, "unlimited at create: nothing to set")
        #expect(try given.cgroupLimits(forUpdate: true).pidsLimit == -1, "unlimited at update: lift the limit")
        given = Resources(Memory: 64 << 20, PidsLimit: 50, MemoryReservation: 32 << 20, CpuShares: 512, CpusetCpus: "1", CpusetMems: "0")
        #expect(try given.cgroupLimits(onlineCPUs: "0-1", onlineNodes: "0")
                == CgroupLimits(pidsLimit: 50, cpuShares: 512, cpusetCpus: "1", cpusetMems: "0", memoryReservation: 32 << 20))
        for (bad, message) in [
            (Resources(CpusetCpus: "2"), "Requested CPUs are not available - requested 2, available: 0-1"),
            (Resources(CpusetCpus: "x"), "invalid value x for --cpuset-cpus"),
            (Resources(CpusetMems: "1"), "Requested memory nodes are not available"),
            (Resources(MemoryReservation: 1 << 20), "Minimum memory reservation allowed is 6MB"),
            (Resources(Memory: 16 << 20, MemoryReservation: 32 << 20), "Minimum memory limit can not be less than memory reservation limit"),
            (Resources(CpuShares: -5), "invalid CPU shares -5"),
        ] {
            let error = #expect(throws: VICError.self) { try bad.cgroupLimits(onlineCPUs: "0-1", onlineNodes: "0") }
            #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        }
        #expect(Resources(MemorySwap: 1 << 30, BlkioWeight: 300).unmanagedFlags == ["--blkio-weight"])
        #expect(try Resources(Memory: 64 << 20, MemorySwap: 128 << 20).cgroupLimits().memorySwap == 128 << 20)
        #expect(try Resources(Memory: 64 << 20, MemorySwap: -1).cgroupLimits().memorySwap == -1)
        #expect(try Resources(MemorySwap: 128 << 20).cgroupLimits(forUpdate: true).memorySwap == 128 << 20)
        for (bad, message) in [
            (Resources(MemorySwap: 128 << 20), "You should always set the Memory limit when using Memoryswap limit"),
            (Resources(Memory: 64 << 20, MemorySwap: 32 << 20), "Minimum memoryswap limit should be larger than memory limit"),
        ] {
            let error = #expect(throws: VICError.self) { try bad.cgroupLimits() }
            #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        }
    }

    @Test func updatesAreCheckedAgainstWhatTheContainerHas() throws {
        var host = HostSettings(autoRemove: false, restartPolicy: RestartPolicy(name: .no), memoryBytes: 64 << 20, nanoCPUs: nil,
                                networkMode: "default")
        host.limits.memorySwap = 128 << 20
        try ContainerManager.checkMemory(after: ContainerUpdate(memoryBytes: 96 << 20), on: host)
        try ContainerManager.checkMemory(after: ContainerUpdate(memoryBytes: 256 << 20, limits: CgroupLimits(memorySwap: -1)), on: host)
        for (update, message) in [
            (ContainerUpdate(memoryBytes: 256 << 20), "Memory limit should be smaller than already set memoryswap limit"),
            (ContainerUpdate(memoryBytes: 0), "You should always set the Memory limit when using Memoryswap limit"),
            (ContainerUpdate(limits: CgroupLimits(memoryReservation: 100 << 20)), "Minimum memory limit can not be less than memory reservation limit"),
        ] {
            let error = #expect(throws: VICError.self) { try ContainerManager.checkMemory(after: update, on: host) }
            #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        }
    }

    @Test func seccompRefusesWhatNoCapabilityGrantsAndWhatMissingOnesGuard() throws {
        let plain = OCISpec.defaultSeccomp(capabilities: OCISpec.defaultCapabilities)
        #expect(plain.defaultAction == "SCMP_ACT_ALLOW")
        let refused = Set(plain.syscalls.filter { $0.args == nil && $0.errnoRet == 1 }.flatMap(\.names))
        #expect(refused.isSuperset(of: ["keyctl", "userfaultfd", "io_uring_setup", "mount", "unshare", "setns", "reboot", "init_module"]))
        #expect(!refused.contains("chown") && !refused.contains("ptrace"))
        #expect(plain.syscalls.filter { $0.names == ["clone"] }.count == 7, "one rule per namespace flag")
        #expect(plain.syscalls.contains { $0.names == ["clone3"] && $0.errnoRet == 38 })
        let admin = OCISpec.defaultSeccomp(capabilities: OCISpec.defaultCapabilities + ["CAP_SYS_ADMIN", "CAP_SYS_TIME"])
        let adminRefused = Set(admin.syscalls.flatMap(\.names))
        #expect(!adminRefused.contains("mount") && !adminRefused.contains("clone") && !adminRefused.contains("settimeofday"))
        #expect(adminRefused.contains("keyctl") && adminRefused.contains("reboot"))
        var settings = ProcessSettings(args: ["sh"], env: [], cwd: "/", uid: 0, gid: 0, terminal: false, hostname: "h")
        #expect(OCISpec.make(settings, rootfs: "/r", networkNamespace: "/n", etcDirectory: "/e").linux.seccomp == plain)
        settings.seccomp = false
        #expect(OCISpec.make(settings, rootfs: "/r", networkNamespace: "/n", etcDirectory: "/e").linux.seccomp == nil)
    }
}
