import Foundation
import VICCore
import VICSystem

/// The files vic gives every container: /etc/hostname, /etc/hosts and /etc/resolv.conf,
/// bind-mounted from the container's directory.
///
/// - resolv.conf: `--dns` servers win; else the default endpoint's (the network's
///   `--container-network-dns`, a DHCP lease's, or the bridge gateway, where vic answers);
///   `--dns-search` domains and `--dns-option`s follow.
/// - hosts: localhost, the container's addresses with its hostname, `--add-host` entries and
///   one line per `--link` (`IP alias target`).
struct ContainerFiles {
    /// A `--link` resolved to the target's address on a network both containers share.
    struct LinkedHost: Equatable {
        var address: IPv4Address
        var names: [String]
    }

    let record: ContainerRecord
    let directory: String
    /// The endpoint with the default route, whose DNS servers the container uses.
    var defaultEndpoint: Endpoint? = nil
    var links: [LinkedHost] = []

    func write() throws {
        let etc = "\(directory)/etc"
        try AtomicFile.makeDirectory(etc, mode: 0o755)
        try AtomicFile.write(Data((record.config.hostname + "\n").utf8), to: "\(etc)/hostname", mode: 0o644, durability: .atomic)
        try AtomicFile.write(Data(hosts().utf8), to: "\(etc)/hosts", mode: 0o644, durability: .atomic)
        try AtomicFile.write(Data(resolvConf().utf8), to: "\(etc)/resolv.conf", mode: 0o644, durability: .atomic)
    }

    /// Rewrites /etc/hosts and /etc/resolv.conf in place, for a running container whose networks
    /// changed: they are bind-mounted file by file, so a rename would not be seen inside.
    func rewriteInPlace() throws {
        let etc = "\(directory)/etc"
        for (name, text) in [("hosts", hosts()), ("resolv.conf", resolvConf())] {
            guard let handle = FileHandle(forWritingAtPath: "\(etc)/\(name)") else { continue }
            defer { try? handle.close() }
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: Data(text.utf8))
        }
    }

    func hosts() -> String {
        let hostname = record.config.hostname
        var hosts = """
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            ff00::0\tip6-mcastprefix
            ff02::1\tip6-allnodes
            ff02::2\tip6-allrouters

            """
        for endpoint in record.endpoints where !endpoint.isDynamic {
            hosts += "\(endpoint.address.address)\t\(hostname)\n"
            if let address6 = endpoint.address6 { hosts += "\(address6.address)\t\(hostname)\n" }
        }
        for entry in record.host.extraHosts {
            // `name:ip`; Docker also accepts `name=ip`. IPv6 addresses keep their colons.
            let separator = entry.firstIndex(of: "=") ?? entry.firstIndex(of: ":")
            guard let separator else { continue }
            let name = entry[..<separator]
            let address = entry[entry.index(after: separator)...]
            guard !name.isEmpty, !address.isEmpty else { continue }
            hosts += "\(address)\t\(name)\n"
        }
        for link in links {
            hosts += "\(link.address)\t\(link.names.joined(separator: " "))\n"
        }
        return hosts
    }

    func resolvConf() -> String {
        let servers = record.host.dns.isEmpty
            ? (defaultEndpoint?.dnsServers ?? []).map(\.description) : record.host.dns
        var lines = servers.map { "nameserver \($0)" }
        if !record.host.dnsSearch.isEmpty {
            lines.append("search " + record.host.dnsSearch.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }

    /// `user[:group]` by name or number, looked up in the container's /etc/passwd and /etc/group
    /// (read through its root: an image's links there cannot lead to the host's files).
    static func resolveUser(_ spec: String, rootfs: String) throws -> (UInt32, UInt32) {
        if spec.isEmpty { return (0, 0) }
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        let uid: UInt32
        var gid: UInt32
        if let number = UInt32(parts[0]) {
            uid = number
            gid = number == 0 ? 0 : (lookupByUID(number, rootfs: rootfs) ?? number)
        } else if let found = lookupUser(parts[0], rootfs: rootfs) {
            (uid, gid) = found
        } else {
            throw VICError(.invalidArgument, "unable to find user \(parts[0]): no matching entries in passwd file")
        }
        if parts.count == 2 { gid = try resolveGroup(parts[1], rootfs: rootfs) }
        return (uid, gid)
    }

    /// `--group-add`: a group ID, or a name looked up in the container's /etc/group.
    static func resolveGroup(_ spec: String, rootfs: String) throws -> UInt32 {
        if let number = UInt32(spec) { return number }
        for line in (containerFile(rootfs, "/etc/group") ?? "").split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count > 2, fields[0] == spec, let gid = UInt32(fields[2]) { return gid }
        }
        throw VICError(.invalidArgument, "unable to find group \(spec): no matching entries in group file")
    }

    /// A user's ID and primary group ID by name, from the container's /etc/passwd.
    static func lookupUser(_ name: String, rootfs: String) -> (UInt32, UInt32)? {
        for line in (containerFile(rootfs, "/etc/passwd") ?? "").split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count > 3, fields[0] == name, let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) { return (uid, gid) }
        }
        return nil
    }

    static func lookupByUID(_ uid: UInt32, rootfs: String) -> UInt32? {
        guard let text = containerFile(rootfs, "/etc/passwd") else { return nil }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count > 3, UInt32(fields[2]) == uid { return UInt32(fields[3]) }
        }
        return nil
    }

    /// A text file of the container's, read through its root; nil when it cannot be read.
    static func containerFile(_ rootfs: String, _ path: String) -> String? {
        guard let root = try? ScopedDirectory(path: rootfs), let bytes = try? root.read(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// "SIGTERM", "TERM" or "15" → 15.
    static func signalNumber(_ text: String?) -> Int32? {
        guard let text, !text.isEmpty else { return nil }
        if let number = Int32(text) { return number }
        let name = text.uppercased().hasPrefix("SIG") ? String(text.uppercased().dropFirst(3)) : text.uppercased()
        let table: [String: Int32] = ["HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12,
                                       "TERM": 15, "STOP": 19, "CONT": 18, "WINCH": 28, "PWR": 30]
        return table[name]
    }
}
