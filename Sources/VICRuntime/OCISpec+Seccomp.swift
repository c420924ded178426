/// The seccomp filter vic puts on every container unless `--security-opt seccomp=unconfined`:
/// a deny list, after Docker's default profile, of the system calls a container has no business
/// making and that widen the kernel's attack surface. The calls that a capability also guards
/// (mounting, namespaces, modules, the clock, rebooting…) are allowed again when the container
/// holds that capability, as Docker's profile does. Everything else is allowed.
extension OCISpec {
    public struct Seccomp: Codable, Sendable, Equatable {
        public var defaultAction: String
        public var syscalls: [SyscallRule]
    }

    public struct SyscallRule: Codable, Sendable, Equatable {
        public var names: [String]
        public var action: String
        public var errnoRet: UInt32?
        public var args: [SyscallArgument]?
    }

    public struct SyscallArgument: Codable, Sendable, Equatable {
        public var index: UInt32
        public var value: UInt64
        public var valueTwo: UInt64
        public var op: String
    }

    static let permissionDenied: UInt32 = 1  // EPERM
    static let notImplemented: UInt32 = 38  // ENOSYS: callers of clone3 then fall back to clone

    /// Refused whatever the capabilities: kernel keyrings (not namespaced), userfaultfd and
    /// io_uring (exploitation primitives), kexec, and obsolete calls.
    static let alwaysRefused = [
        "keyctl", "add_key", "request_key", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
        "kexec_file_load", "kexec_load", "uselib", "ustat", "sysfs", "_sysctl", "lookup_dcookie", "nfsservctl",
        "create_module", "get_kernel_syms", "query_module",
    ]

    /// Refused unless the container holds the capability that guards them.
    static let refusedWithout: [(capability: String, calls: [String])] = [
        ("CAP_SYS_ADMIN", ["mount", "umount2", "pivot_root", "setns", "unshare", "fsopen", "fsconfig", "fsmount", "fspick",
                           "move_mount", "open_tree", "swapon", "swapoff", "quotactl", "bpf"]),
        ("CAP_SYS_ADMIN", ["perf_event_open"]),
        ("CAP_SYS_MODULE", ["init_module", "finit_module", "delete_module"]),
        ("CAP_SYS_BOOT", ["reboot"]),
        ("CAP_SYS_TIME", ["settimeofday", "clock_settime", "clock_adjtime"]),
        ("CAP_SYS_RAWIO", ["iopl", "ioperm"]),
        ("CAP_SYS_PACCT", ["acct"]),
        ("CAP_DAC_READ_SEARCH", ["open_by_handle_at"]),
        ("CAP_SYSLOG", ["syslog"]),
    ]

    /// clone's namespace flags: a new user, mount, PID, network, IPC, UTS or cgroup namespace
    /// needs CAP_SYS_ADMIN.
    static let namespaceFlags: [UInt64] = [0x1000_0000, 0x0002_0000, 0x2000_0000, 0x4000_0000, 0x0800_0000, 0x0400_0000, 0x0200_0000]

    /// The profile for a process holding `capabilities` (their `CAP_` names).
    public static func defaultSeccomp(capabilities: [String]) -> Seccomp {
        let held = Set(capabilities)
        var refused = alwaysRefused
        for (capability, calls) in refusedWithout where !held.contains(capability) { refused += calls }
        var rules = [SyscallRule(names: refused, action: "SCMP_ACT_ERRNO", errnoRet: permissionDenied, args: nil)]
        if !held.contains("CAP_SYS_ADMIN") {
            rules.append(SyscallRule(names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: notImplemented, args: nil))
            for flag in namespaceFlags {
                rules.append(SyscallRule(names: ["clone"], action: "SCMP_ACT_ERRNO", errnoRet: permissionDenied,
                                         args: [SyscallArgument(index: 0, value: flag, valueTwo: flag, op: "SCMP_CMP_MASKED_EQ")]))
            }
        }
        return Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: rules)
    }
}
