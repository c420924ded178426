import Foundation
import VICCore
import VICSystem

/// What a DHCP server gave an interface.
public struct DHCPLease: Sendable, Hashable, Codable {
    public var address: IPv4Interface
    public var routers: [IPv4Address]
    public var dnsServers: [IPv4Address]
    public var leaseSeconds: Int?

    public init(address: IPv4Interface, routers: [IPv4Address], dnsServers: [IPv4Address], leaseSeconds: Int?) {
        self.address = address
        self.routers = routers
        self.dnsServers = dnsServers
        self.leaseSeconds = leaseSeconds
    }

    /// Parses the `key=value` file that `DHCPClient.hookScript` writes.
    public init?(leaseFile text: String) {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        let prefix = values["mask"].flatMap { Int($0) }
            ?? values["subnet"].flatMap { IPv4Address($0) }.map { $0.value.nonzeroBitCount }
        guard let ip = values["ip"].flatMap({ IPv4Address($0) }), let prefix,
              let address = IPv4Interface(address: ip, prefixLength: prefix)
        else { return nil }
        self.address = address
        routers = (values["router"] ?? "").split(separator: " ").compactMap { IPv4Address($0) }
        dnsServers = (values["dns"] ?? "").split(separator: " ").compactMap { IPv4Address($0) }
        leaseSeconds = values["lease"].flatMap { Int($0) }
    }
}

/// DHCP for the appliance's NICs through busybox's udhcpc, which vic drives with its own hook
/// script. The hook applies the leased address to the interface and records the lease in
/// `<leaseDirectory>/<interface>.lease`; routes are vic's to apply.
public struct DHCPClient: Sendable {
    public let busybox: String
    /// Where the hook script and the lease files live (the VCH's run directory).
    public let leaseDirectory: String

    public init(busybox: String = "/bin/busybox", leaseDirectory: String) {
        self.busybox = busybox
        self.leaseDirectory = leaseDirectory
    }

    public var scriptPath: String { "\(leaseDirectory)/udhcpc.hook" }

    public func leasePath(for interface: String) -> String { "\(leaseDirectory)/\(interface).lease" }

    /// The hook udhcpc calls on every state change. It never removes an address ("deconfig"
    /// is ignored), so a restarted client does not cut off a serving daemon.
    public static let hookScript = """
        #!/bin/sh
        # vic: udhcpc hook. Applies the leased address and records the lease for vic to read.
        case "$1" in
          bound|renew)
            /usr/sbin/ip address replace "$ip/${mask:-32}" dev "$interface" || exit 1
            dir="${VIC_LEASE_DIR:?}"
            tmp="$dir/$interface.lease.tmp"
            {
              echo "ip=$ip"; echo "mask=$mask"; echo "subnet=$subnet"; echo "router=$router"
              echo "dns=$dns"; echo "lease=$lease"; echo "serverid=$serverid"
            } > "$tmp" && mv "$tmp" "$dir/$interface.lease"
            ;;
        esac
        exit 0

        """

    /// Writes the hook script (idempotent).
    public func installHook() throws {
        try AtomicFile.makeDirectory(leaseDirectory, mode: 0o700)
        try AtomicFile.write(Data(DHCPClient.hookScript.utf8), to: scriptPath, mode: 0o755)
    }

    /// The udhcpc arguments. `oneShot` gets a lease and exits (failing after about
    /// `attempts` seconds); otherwise it stays in the foreground and renews.
    public func arguments(
        interface: String, hostname: String, requesting: IPv4Address? = nil,
        oneShot: Bool, attempts: Int = 8
    ) -> [String] {
        var args = ["udhcpc", "-f", "-i", interface, "-s", scriptPath, "-x", "hostname:\(hostname)"]
        if oneShot { args += ["-q", "-n", "-t", String(attempts), "-T", "1", "-A", "1"] }
        else { args += ["-t", "0", "-T", "2", "-A", "3"] }
        if let requesting { args += ["-r", requesting.description] }
        return args
    }

    /// Obtains a lease for `interface` inside the namespace `namespace` (through nsenter, so only
    /// the network namespace changes) and returns it. Privilege: root.
    public func acquire(interface: String, hostname: String, namespace: String) async throws -> DHCPLease {
        try installHook()
        let result = try await Command.run(
            "/usr/bin/nsenter",
            ["--net=/run/netns/\(namespace)", busybox]
                + arguments(interface: interface, hostname: hostname, oneShot: true),
            environment: ["VIC_LEASE_DIR": leaseDirectory])
        guard result.succeeded,
              let text = try? String(contentsOfFile: leasePath(for: interface), encoding: .utf8),
              let lease = DHCPLease(leaseFile: text)
        else {
            throw VICError(.unavailable, "no DHCP lease on \(interface): no DHCP server answered")
        }
        return lease
    }

    /// Obtains a lease for `interface` inside `namespace` and leaves udhcpc running there in the
    /// background to renew it (it daemonizes once bound and writes its PID to `pidFile`), so a
    /// container keeps its address while it runs. Fails after about `attempts` seconds when no
    /// server answers. Stop the client with `stopRenewing(pidFile:)`. Privilege: root.
    public func acquireAndRenew(
        interface: String, hostname: String, namespace: String, pidFile: String, attempts: Int = 8
    ) async throws -> DHCPLease {
        try installHook()
        try? FileManager.default.removeItem(atPath: leasePath(for: interface))
        let udhcpc = [busybox, "udhcpc", "-i", interface, "-s", scriptPath, "-x", "hostname:\(hostname)",
                      "-p", pidFile, "-n", "-t", String(attempts), "-T", "1", "-A", "1"]
        // The daemon must not hold our output pipes open after it detaches.
        let result = try await Command.run(
            "/bin/sh", ["-c", #"exec "$@" </dev/null >/dev/null 2>&1"#, "sh",
                        "/usr/bin/nsenter", "--net=/run/netns/\(namespace)", "--"] + udhcpc,
            environment: ["VIC_LEASE_DIR": leaseDirectory])
        guard result.succeeded,
              let text = try? String(contentsOfFile: leasePath(for: interface), encoding: .utf8),
              let lease = DHCPLease(leaseFile: text)
        else {
            stopRenewing(pidFile: pidFile)
            throw VICError(.unavailable, "no DHCP lease on \(interface): no DHCP server answered")
        }
        return lease
    }

    /// Stops the udhcpc that `acquireAndRenew` left running, found by its PID file and checked
    /// to be that very process. Nothing to stop is not an error.
    public func stopRenewing(pidFile: String) {
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = Int32(text.trimmingWhitespace()), pid > 1,
              let command = FileSystem.readKernelFile("/proc/\(pid)/cmdline"),
              command.contains("udhcpc"), command.contains(pidFile)
        else { return }
        kill(pid, SIGTERM)
    }
}
