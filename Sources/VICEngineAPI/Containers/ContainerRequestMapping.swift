import VICImage
import VICCore
import VICRuntime
import VICPortLayer

/// Turns Docker's create body into a port-layer request, validating what the port layer cannot.
enum ContainerRequestMapping {
    static func request(_ body: DockerContainerCreate, name: String?) throws -> ContainerRequest {
        let host = body.HostConfig
        let restart = try restartPolicy(host?.RestartPolicy)
        if host?.AutoRemove == true && restart.name != .no {
            throw VICError(.invalidArgument, "conflicting options: cannot specify both --restart and --rm")
        }
        let memory = try host?.memoryLimit()
        try refuseUnsupported(body)
        let capAdd = host?.CapAdd ?? [], capDrop = host?.CapDrop ?? []
        _ = try OCISpec.capabilities(adding: capAdd, dropping: capDrop)
        var settings = HostSettings(
            autoRemove: host?.AutoRemove ?? false, restartPolicy: restart,
            memoryBytes: memory.flatMap { $0 > 0 ? $0 : nil }, nanoCPUs: host?.nanoCPUs.flatMap { $0 > 0 ? $0 : nil },
            networkMode: host?.NetworkMode.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            portBindings: try portBindings(host?.PortBindings), publishAllPorts: host?.PublishAllPorts ?? false,
            dns: host?.Dns ?? [], dnsSearch: host?.DnsSearch ?? [], extraHosts: host?.ExtraHosts ?? [],
            links: host?.Links ?? [])
        settings.capAdd = capAdd
        settings.capDrop = capDrop
        settings.readOnlyRootfs = host?.ReadonlyRootfs ?? false
        settings.shmBytes = host?.ShmSize.flatMap { $0 > 0 ? $0 : nil }
        settings.noNewPrivileges = (host?.SecurityOpt ?? []).contains { noNewPrivileges($0) == true }
        settings.seccompUnconfined = (host?.SecurityOpt ?? []).contains(where: isSeccompUnconfined)
        settings.stopTimeout = body.StopTimeout
        settings.binds = host?.Binds ?? []
        settings.limits = try host?.cgroupLimits(onlineCPUs: CgroupLimits.onlineCPUs, onlineNodes: CgroupLimits.onlineNodes) ?? CgroupLimits()
        settings.ulimits = try (host?.Ulimits ?? []).map { wire in
            try Ulimit(name: wire.Name ?? "", soft: wire.Soft ?? 0, hard: wire.Hard ?? 0)
        }
        for key in (host?.Sysctls ?? [:]).keys { try NamespacedSysctl.validate(key) }
        settings.sysctls = host?.Sysctls ?? [:]
        settings.groupAdd = host?.GroupAdd ?? []
        settings.initProcess = host?.Init ?? false
        if host?.OomKillDisable == true { settings.limits.oomKillDisable = true }
        var request = ContainerRequest(
            name: name, image: body.Image ?? "", hostname: body.Hostname, user: body.User, env: body.Env ?? [],
            entrypoint: body.Entrypoint?.values, cmd: body.Cmd?.values, workingDir: body.WorkingDir,
            tty: body.Tty ?? false, openStdin: body.OpenStdin ?? false, stdinOnce: body.StdinOnce ?? false,
            attachStdin: body.AttachStdin ?? false, attachStdout: body.AttachStdout ?? true,
            attachStderr: body.AttachStderr ?? true, labels: body.Labels ?? [:],
            exposedPorts: body.ExposedPorts.map { Array($0.keys) } ?? [], stopSignal: body.StopSignal,
            host: settings,
            networks: try networks(body))
        request.mounts = try ContainerMountMapping.mounts(body)
        request.volumesFrom = host?.VolumesFrom ?? []
        request.healthcheck = try healthcheck(body.Healthcheck)
        return request
    }

    /// Refuses, by flag, what a container could ask of Docker that vic does not do, rather than
    /// run it without: privileges, host devices and namespaces, other log drivers,
    /// `--blkio-weight`, security options but no-new-privileges.
    static func refuseUnsupported(_ body: DockerContainerCreate) throws {
        let host = body.HostConfig
        var asked: [String] = []
        if host?.Privileged == true { asked.append("--privileged") }
        if !(host?.Devices ?? []).isEmpty { asked.append("--device") }
        if !(host?.DeviceRequests ?? []).isEmpty { asked.append("--gpus") }
        for (flag, mode) in [("--pid", host?.PidMode), ("--ipc", host?.IpcMode), ("--uts", host?.UTSMode), ("--userns", host?.UsernsMode)] {
            if let mode, !["", "private", "shareable"].contains(mode) { asked.append("\(flag) \(mode)") }
        }
        if let driver = host?.LogConfig?.Type, !["", "json-file"].contains(driver) { asked.append("--log-driver \(driver)") }
        asked += host?.unmanagedFlags ?? []
        for option in host?.SecurityOpt ?? [] where noNewPrivileges(option) == nil && !isSeccompUnconfined(option) {
            asked.append("--security-opt \(option)")
        }
        if !asked.isEmpty {
            throw VICError(.invalidArgument, "vic does not support \(asked.joined(separator: ", ")) yet")
        }
    }

    /// `--health-*`, checked as dockerd checks them: durations of 0 (inherit) or at least 1 ms,
    /// retries not negative, a test that is empty (inherit), NONE, CMD or CMD-SHELL.
    static func healthcheck(_ given: ImageConfiguration.HealthConfig?) throws -> ImageConfiguration.HealthConfig? {
        guard let given else { return nil }
        for (name, value) in [("Interval", given.Interval), ("Timeout", given.Timeout), ("StartPeriod", given.StartPeriod),
                              ("StartInterval", given.StartInterval)] {
            if let value, value != 0, value < 1_000_000 {
                throw VICError(.invalidArgument, "\(name) in Healthcheck cannot be less than 1ms")
            }
        }
        if let retries = given.Retries, retries < 0 { throw VICError(.invalidArgument, "Retries in Healthcheck cannot be negative") }
        if let kind = given.Test?.first, !["NONE", "CMD", "CMD-SHELL"].contains(kind) {
            throw VICError(.invalidArgument, "unknown health check type \(kind): use CMD, CMD-SHELL or NONE")
        }
        return given
    }

    /// `seccomp=unconfined` (or `seccomp:unconfined`): the container runs without vic's seccomp
    /// filter. A custom profile is another option, refused.
    static func isSeccompUnconfined(_ option: String) -> Bool {
        option == "seccomp=unconfined" || option == "seccomp:unconfined"
    }

    /// `no-new-privileges[=|:true|false]` → its value; nil for any other security option.
    static func noNewPrivileges(_ option: String) -> Bool? {
        let parts = option.split(maxSplits: 1, whereSeparator: { $0 == "=" || $0 == ":" }).map(String.init)
        guard parts.first == "no-new-privileges" else { return nil }
        return parts.count == 1 ? true : Bool(parts[1])
    }

    /// Docker's `PortBindings` map, one domain binding per host entry, in a stable order.
    static func portBindings(_ wire: [String: [DockerContainerCreate.PortBindingWire]?]?) throws -> [PortBinding] {
        var result: [PortBinding] = []
        for (key, entries) in (wire ?? [:]).sorted(by: { $0.key < $1.key }) {
            let list = entries ?? []
            if list.isEmpty {
                result.append(try PortBinding.parse(port: key, hostIP: nil, hostPort: nil))
            }
            for entry in list {
                result.append(try PortBinding.parse(port: key, hostIP: entry.HostIp, hostPort: entry.HostPort))
            }
        }
        return result
    }

    /// `NetworkingConfig.EndpointsConfig`: `--ip`, `--network-alias`, `--link`, `--mac-address`.
    static func networks(_ body: DockerContainerCreate) throws -> [NetworkAttachment] {
        var result: [NetworkAttachment] = []
        for (name, config) in (body.NetworkingConfig?.EndpointsConfig ?? [:]).sorted(by: { $0.key < $1.key }) {
            let (address, address6) = try Router.endpointAddresses(config?.IPAMConfig?.IPv4Address, config?.IPAMConfig?.IPv6Address)
            let mac = config?.MacAddress.flatMap { $0.isEmpty ? nil : $0 } ?? body.MacAddress.flatMap { $0.isEmpty ? nil : $0 }
            result.append(NetworkAttachment(network: name, ipv4Address: address, aliases: config?.Aliases ?? [],
                                            links: config?.Links ?? [], macAddress: mac, ipv6Address: address6))
        }
        if result.isEmpty, let mac = body.MacAddress, !mac.isEmpty {
            let mode = body.HostConfig?.NetworkMode.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
            result.append(NetworkAttachment(network: mode, macAddress: mac))
        }
        return result
    }

    static func restartPolicy(_ policy: DockerContainerCreate.Restart?) throws -> RestartPolicy {
        let name = policy?.Name ?? ""
        switch name {
        case "", "no": return RestartPolicy(name: .no)
        case "always": return RestartPolicy(name: .always)
        case "unless-stopped": return RestartPolicy(name: .unlessStopped)
        case "on-failure":
            let count = policy?.MaximumRetryCount ?? 0
            guard count >= 0 else { throw VICError(.invalidArgument, "invalid restart policy: maximum retry count cannot be negative") }
            return RestartPolicy(name: .onFailure, maximumRetryCount: count)
        default:
            throw VICError(.invalidArgument, "invalid restart policy: unknown policy '\(name)'; use one of 'no', 'always', 'on-failure' or 'unless-stopped'")
        }
    }
}

/// `docker ps --filter`: name, id, status, label, network, ancestor, volume (a volume's name or
/// a mount point), health (starting, healthy, unhealthy, none).
enum ContainerListFilter {
    static let acceptedKeys: Set<String> = ["name", "id", "status", "label", "network", "ancestor", "exited", "volume", "health"]
    static let healthStates: Set<String> = ["starting", "healthy", "unhealthy", "none"]
    static let statuses: Set<String> = ["created", "restarting", "running", "removing", "paused", "exited", "dead"]

    static func apply(_ filters: FilterArguments, to records: [ContainerRecord]) throws -> [ContainerRecord] {
        for status in filters.values("status") where !statuses.contains(status) {
            throw VICError(.invalidArgument, "invalid filter 'status=\(status)'")
        }
        for health in filters.values("health") where !healthStates.contains(health) {
            throw VICError(.invalidArgument, "Unrecognised filter value for health: \(health)")
        }
        func passes(_ key: String, _ test: (FilterArguments) -> Bool) -> Bool { !filters.contains(key) || test(filters) }
        return records.filter { record in
            passes("name") { $0.match("name", "/" + record.name) }
                && passes("id") { $0.prefixMatch("id", record.id) }
                && passes("status") { $0.exactMatch("status", ContainerWireMapping.stateName(record.state)) }
                && passes("exited") { record.state.status == .exited && $0.exactMatch("exited", String(record.state.exitCode)) }
                && passes("label") { $0.matchLabels("label", record.config.labels) }
                && passes("network") { filters in
                    record.endpoints.contains { filters.exactMatch("network", $0.network) || filters.prefixMatch("network", $0.networkID) }
                }
                && passes("health") { $0.exactMatch("health", record.state.health?.status.rawValue ?? "none") }
                && passes("volume") { filters in
                    record.host.mounts.contains { filters.exactMatch("volume", $0.volume) || filters.exactMatch("volume", $0.destination) }
                }
                && passes("ancestor") { filters in
                    let names = [record.imageName, record.imageName + ":latest", record.imageID, String(record.imageID.dropFirst(7))]
                    return names.contains { filters.exactMatch("ancestor", $0) } || filters.prefixMatch("ancestor", String(record.imageID.dropFirst(7)))
                }
        }
    }
}
