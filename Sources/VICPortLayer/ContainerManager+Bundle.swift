import Foundation
import VICCore
import VICRuntime
import VICSystem

/// The OCI bundle of a start: the spec from the record (process, limits, mounts, sysctls) and
/// the init process.
extension ContainerManager {
    /// What vic sets in every container's network namespace unless the user's `--sysctl` says
    /// otherwise: no route from router advertisements, which another container on the network
    /// could send, on its NICs (`eth0`… as `attachEndpoints` names them, present when the
    /// runtime applies this) nor on NICs added later ("default"). Nothing without kernel IPv6.
    static func networkSysctls(_ record: ContainerRecord) -> [String: String] {
        guard FileManager.default.fileExists(atPath: "/proc/sys/net/ipv6") else { return [:] }
        var sysctls = ["net.ipv6.conf.all.accept_ra": "0", "net.ipv6.conf.default.accept_ra": "0"]
        for index in record.endpoints.indices { sysctls["net.ipv6.conf.eth\(index).accept_ra"] = "0" }
        return sysctls
    }

    /// Where `--init` puts tini in the container, as Docker puts its docker-init.
    static let initDestination = "/sbin/docker-init"
    /// The static tini on the host (Debian's `tini`), which runs in any image.
    static let initSource = "/usr/bin/tini-static"

    /// `--init`: tini bind-mounted read-only at /sbin/docker-init; nothing otherwise.
    func initMount(_ record: ContainerRecord) throws -> [OCISpec.Mount] {
        guard record.host.initProcess else { return [] }
        guard FileManager.default.isExecutableFile(atPath: Self.initSource) else {
            throw VICError(.unavailable, "--init needs tini on the VCH's host (apt-get install tini): \(Self.initSource) is missing")
        }
        return [OCISpec.Mount(destination: Self.initDestination, type: "bind", source: Self.initSource, options: ["bind", "ro", "rprivate"])]
    }

    func writeBundle(_ record: ContainerRecord, rootfs: String, userMounts: [OCISpec.Mount]) throws {
        let (uid, gid) = try ContainerFiles.resolveUser(record.config.user, rootfs: rootfs)
        var settings = ProcessSettings(
            args: (record.host.initProcess ? [Self.initDestination, "--"] : []) + record.config.argv,
            env: record.config.env + ["HOSTNAME=\(record.config.hostname)"] + (record.config.tty ? ["TERM=xterm"] : []),
            cwd: record.config.workingDir.isEmpty ? "/" : record.config.workingDir,
            uid: uid, gid: gid, terminal: record.config.tty, hostname: record.config.hostname,
            memoryLimit: record.host.memoryBytes.flatMap { $0 > 0 ? $0 : nil },
            cpuQuota: record.host.nanoCPUs.flatMap { $0 > 0 ? $0 / 10_000 : nil })
        settings.capabilities = try OCISpec.capabilities(adding: record.host.capAdd, dropping: record.host.capDrop)
        settings.readonlyRoot = record.host.readOnlyRootfs
        settings.shmBytes = record.host.shmBytes
        settings.noNewPrivileges = record.host.noNewPrivileges
        settings.seccomp = !record.host.seccompUnconfined
        settings.limits = record.host.limits
        settings.ulimits = record.host.ulimits
        settings.sysctls = Self.networkSysctls(record).merging(record.host.sysctls) { $1 }
        settings.additionalGids = try record.host.groupAdd.map { try ContainerFiles.resolveGroup($0, rootfs: rootfs) }
        let spec = OCISpec.make(settings, rootfs: rootfs, networkNamespace: networking.namespacePath(for: record.id),
                                etcDirectory: "\(directory(record.id))/etc", userMounts: userMounts)
        let bundle = "\(directory(record.id))/bundle"
        try AtomicFile.makeDirectory(bundle, mode: 0o700)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(spec), to: "\(bundle)/config.json", mode: 0o600, durability: .atomic)
    }
}
