import VICCore
import VICPortLayer

/// `-v`, `--mount`, `--tmpfs` and `Config.Volumes` of a create body as mount requests. Volumes
/// and tmpfs are taken; host directories (bind mounts) and other volume drivers are refused by
/// name, never dropped. Pure, so every form is tested in a table.
enum ContainerMountMapping {
    static func mounts(_ body: DockerContainerCreate) throws -> [MountRequest] {
        let host = body.HostConfig
        var result = try (host?.Binds ?? []).map(bind)
        result += try (host?.Mounts ?? []).map(mount)
        result += try (host?.Tmpfs ?? [:]).sorted { $0.key < $1.key }.map { try tmpfs($0.key, options: $0.value) }
        // Config.Volumes names anonymous volumes (`-v /path`); clients such as docker-py also
        // list there the destinations of their binds, which are no second mount.
        let taken = Set(result.map { (try? ContainerMount.cleanDestination($0.destination)) ?? $0.destination })
        for path in (body.Volumes ?? [:]).keys.sorted()
        where !taken.contains((try? ContainerMount.cleanDestination(path)) ?? path) {
            result.append(MountRequest(kind: .volume, source: nil, destination: path))
        }
        return result
    }

    /// `-v [SOURCE:]DESTINATION[:MODE]`, Docker's Linux parsing: two parts are a destination and a
    /// mode when the second is a valid mode, else a source and a destination.
    static func bind(_ spec: String) throws -> MountRequest {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var source: String?
        var destination: String
        var mode = ""
        switch parts.count {
        case 1: destination = parts[0]
        case 2 where (try? modes(parts[1])) != nil: (destination, mode) = (parts[0], parts[1])
        case 2: (source, destination) = (parts[0], parts[1])
        case 3: (source, destination, mode) = (parts[0], parts[1], parts[2])
        default: throw VICError(.invalidArgument, "invalid volume specification: '\(spec)'")
        }
        guard !destination.isEmpty, source?.isEmpty != true else {
            throw VICError(.invalidArgument, "invalid volume specification: '\(spec)'")
        }
        if let source, source.hasPrefix("/") || source.hasPrefix(".") {
            throw VICError(.invalidArgument, "vic does not mount host directories into containers (-v \(spec)): use a volume, -v NAME:\(destination)")
        }
        let flags = try modes(mode)
        return MountRequest(kind: .volume, source: source, destination: destination,
                            readOnly: flags.contains("ro"), noCopy: flags.contains("nocopy"))
    }

    /// The comma-separated mode of `-v`: `ro`/`rw`, `nocopy`, and `z`/`Z` (SELinux labels, which
    /// mean nothing without SELinux). Propagation and other modes are refused.
    static func modes(_ text: String) throws -> Set<String> {
        let flags = text.split(separator: ",").map(String.init)
        for flag in flags where !["ro", "rw", "nocopy", "z", "Z"].contains(flag) {
            throw VICError(.invalidArgument, "invalid mode: \(text)")
        }
        if flags.contains("ro") && flags.contains("rw") { throw VICError(.invalidArgument, "invalid mode: \(text)") }
        return Set(flags)
    }

    /// One `--mount` entry: `type=volume` (the default) or `type=tmpfs`.
    static func mount(_ wire: DockerContainerCreate.MountWire) throws -> MountRequest {
        guard let target = wire.Target, !target.isEmpty else {
            throw VICError(.invalidArgument, "invalid mount config for type \"\(wire.Type ?? "volume")\": field Target must not be empty")
        }
        switch wire.Type ?? "volume" {
        case "volume":
            let options = wire.VolumeOptions
            if let driver = options?.DriverConfig?.Name, !["", "local", "vsphere"].contains(driver) {
                throw VICError(.invalidArgument, "volume driver \(driver) is not supported: vic keeps volumes in its volume stores (--mount \(target))")
            }
            if !(options?.DriverConfig?.Options ?? [:]).isEmpty || !(options?.Subpath ?? "").isEmpty {
                throw VICError(.invalidArgument, "vic takes no volume driver options or subpath in --mount (\(target))")
            }
            return MountRequest(kind: .volume, source: wire.Source.flatMap { $0.isEmpty ? nil : $0 }, destination: target,
                                readOnly: wire.ReadOnly ?? false, noCopy: options?.NoCopy ?? false, labels: options?.Labels ?? [:])
        case "tmpfs":
            var options: [String] = []
            if let size = wire.TmpfsOptions?.SizeBytes, size > 0 { options.append("size=\(size)") }
            if let mode = wire.TmpfsOptions?.Mode { options.append("mode=" + String(mode & 0o7777, radix: 8)) }
            return try tmpfs(target, options: options.joined(separator: ",") + ((wire.ReadOnly ?? false) ? ",ro" : ""))
        case "bind":
            throw VICError(.invalidArgument, "vic does not mount host directories into containers (--mount type=bind,target=\(target)): use type=volume")
        case let other:
            throw VICError(.invalidArgument, "mount type \(other) is not supported by vic (--mount \(target)): use volume or tmpfs")
        }
    }

    /// Mount options a tmpfs may take, as `--tmpfs PATH:OPTIONS` gives them.
    static let tmpfsFlags: Set<String> = [
        "ro", "rw", "exec", "noexec", "suid", "nosuid", "dev", "nodev", "atime", "noatime", "relatime",
        "norelatime", "strictatime", "nostrictatime", "diratime", "nodiratime", "sync", "async", "dirsync",
    ]
    static let tmpfsValues: Set<String> = ["size", "mode", "uid", "gid", "nr_inodes", "nr_blocks"]

    /// Whether `value` fits `key`: an octal mode, numeric IDs, sizes with a k/m/g suffix (or a
    /// percentage of memory for `size`), as tmpfs takes them.
    static func isTmpfsValue(_ key: String, _ value: String) -> Bool {
        let digits = { (text: Substring) in !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber } }
        switch key {
        case "mode": return (1...4).contains(value.count) && value.allSatisfy { ("0"..."7").contains($0) }
        case "uid", "gid": return digits(Substring(value)) && UInt32(value) != nil
        default:
            if key == "size", value.hasSuffix("%") { return digits(value.dropLast()) }
            let number = value.last.map { "kKmMgG".contains($0) } == true ? value.dropLast() : Substring(value)
            return digits(number) && value.count <= 20
        }
    }

    /// `--tmpfs PATH[:OPTIONS]`: Docker's defaults (noexec, nosuid, nodev) first, so the user's
    /// options win; an unknown option is refused.
    static func tmpfs(_ path: String, options: String) throws -> MountRequest {
        let given = options.split(separator: ",").map(String.init)
        for option in given {
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            let valid = parts.count == 2 ? tmpfsValues.contains(parts[0]) && isTmpfsValue(parts[0], parts[1]) : tmpfsFlags.contains(option)
            guard valid else { throw VICError(.invalidArgument, "invalid tmpfs option \"\(option)\" for \(path)") }
        }
        return MountRequest(kind: .tmpfs, source: nil, destination: path, readOnly: given.contains("ro"),
                            tmpfsOptions: ["noexec", "nosuid", "nodev"] + given)
    }
}
