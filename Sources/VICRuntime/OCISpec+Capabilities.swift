import VICCore

extension OCISpec {
    /// Every capability Linux 6.x defines, by name.
    public static let allCapabilities = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]

    /// The capabilities of a container with `--cap-add` and `--cap-drop`, as dockerd computes
    /// them: Docker's defaults plus the added, minus the dropped; "ALL" added gives every one,
    /// "ALL" dropped leaves only the added. Names may lack "CAP_" and be in any case. Throws
    /// `.invalidArgument` with dockerd's words for a name Linux does not have.
    public static func capabilities(adding added: [String], dropping dropped: [String]) throws -> [String] {
        let add = try added.map(canonicalCapability)
        let drop = try dropped.map(canonicalCapability)
        var result: [String]
        if add.contains("ALL") {
            result = allCapabilities
        } else if drop.contains("ALL") {
            result = []
        } else {
            result = defaultCapabilities
        }
        for name in add where name != "ALL" && !result.contains(name) { result.append(name) }
        if !drop.contains("ALL") { result.removeAll { drop.contains($0) } }
        return result
    }

    /// "net_raw" → "CAP_NET_RAW"; "all" → "ALL".
    static func canonicalCapability(_ name: String) throws -> String {
        let upper = name.uppercased()
        if upper == "ALL" { return upper }
        let full = upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
        guard allCapabilities.contains(full) else { throw VICError(.invalidArgument, "unknown capability: \"\(full)\"") }
        return full
    }
}
