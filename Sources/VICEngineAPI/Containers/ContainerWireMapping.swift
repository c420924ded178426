import Foundation
import VICCore
import VICImage
import VICPortLayer

/// Maps port-layer records onto Docker's wire shapes. Pure.
enum ContainerWireMapping {
    static func endpoints(_ record: ContainerRecord) -> [String: DockerEndpointSettings] {
        var result: [String: DockerEndpointSettings] = [:]
        for endpoint in record.endpoints {
            result[endpoint.network] = DockerEndpointSettings(
                IPAMConfig: ExplicitNull(nil), Links: endpoint.links.isEmpty ? nil : endpoint.links,
                Aliases: endpoint.aliases + [record.shortID], MacAddress: endpoint.macAddress,
                NetworkID: endpoint.networkID, EndpointID: record.state.isRunning ? record.id : "",
                Gateway: endpoint.gateway?.description ?? "",
                IPAddress: endpoint.isDynamic ? "" : endpoint.address.address.description,
                IPPrefixLen: endpoint.isDynamic ? 0 : endpoint.address.prefixLength, IPv6Gateway: endpoint.gateway6?.description ?? "",
                GlobalIPv6Address: endpoint.address6?.address.description ?? "",
                GlobalIPv6PrefixLen: endpoint.address6?.prefixLength ?? 0, DNSNames: [record.name, record.shortID] + endpoint.aliases)
        }
        return result
    }

    /// `HostConfig.SecurityOpt` as given: nil when none.
    static func securityOptions(_ host: HostSettings) -> [String]? {
        let options = (host.noNewPrivileges ? ["no-new-privileges"] : []) + (host.seccompUnconfined ? ["seccomp=unconfined"] : [])
        return options.isEmpty ? nil : options
    }

    /// The container's volumes and tmpfs mounts, in mount order.
    static func mountPoints(_ record: ContainerRecord) -> [DockerMountPoint] {
        record.host.mounts.map { mount in
            switch mount.kind {
            case .volume:
                DockerMountPoint(Type: "volume", Name: mount.volume, Source: mount.source, Destination: mount.destination,
                                 Driver: "local", Mode: "", RW: !mount.readOnly, Propagation: "")
            case .tmpfs:
                DockerMountPoint(Type: "tmpfs", Name: nil, Source: "", Destination: mount.destination, Driver: nil,
                                 Mode: mount.tmpfsOptions.joined(separator: ","), RW: !mount.readOnly, Propagation: "")
            }
        }
    }

    static func command(_ record: ContainerRecord) -> String {
        record.config.argv.joined(separator: " ")
    }

    static func summary(_ record: ContainerRecord) -> DockerContainerSummary {
        DockerContainerSummary(
            Id: record.id, Names: ["/" + record.name], Image: record.imageName, ImageID: record.imageID,
            Command: command(record), Created: Int64(record.created.timeIntervalSince1970), Ports: summaryPorts(record),
            Labels: record.config.labels, State: stateName(record.state), Status: record.state.humanStatus(),
            HostConfig: ["NetworkMode": record.host.networkMode], NetworkSettings: .init(Networks: endpoints(record)),
            Mounts: mountPoints(record), SizeRw: nil, SizeRootFs: nil)
    }

    /// `docker ps` PORTS: published ports while running (`1.2.3.4:8080->80/tcp`), and exposed
    /// ports that are not published (`80/tcp`).
    static func summaryPorts(_ record: ContainerRecord) -> [DockerContainerSummary.Port] {
        var ports = record.state.published.map {
            DockerContainerSummary.Port(IP: $0.hostIP.description, PrivatePort: Int($0.containerPort),
                                        PublicPort: Int($0.hostPort), Type: $0.transport.rawValue)
        }
        let published = Set(record.state.published.map { "\($0.containerPort)/\($0.transport.rawValue)" })
        for key in record.config.exposedPorts where record.state.status == .running && !published.contains(key) {
            if let (port, transport) = try? PortBinding.parsePort(key) {
                ports.append(.init(IP: nil, PrivatePort: Int(port), PublicPort: nil, Type: transport.rawValue))
            }
        }
        return ports.sorted { ($0.PrivatePort, $0.PublicPort ?? 0) < ($1.PrivatePort, $1.PublicPort ?? 0) }
    }

    /// `HostConfig.PortBindings`: what the user asked for.
    static func hostPortBindings(_ record: ContainerRecord) -> [String: [DockerContainerCreate.PortBindingWire]] {
        var result: [String: [DockerContainerCreate.PortBindingWire]] = [:]
        for binding in record.host.portBindings {
            let hostPort = binding.hostPorts.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" } ?? ""
            result["\(binding.containerPort)/\(binding.transport.rawValue)", default: []].append(
                .init(HostIp: binding.hostIP?.description ?? "", HostPort: hostPort))
        }
        return result
    }

    /// `NetworkSettings.Ports`: every exposed or published port; null when not published.
    static func networkPorts(_ record: ContainerRecord) -> [String: ExplicitNull<[DockerContainerCreate.PortBindingWire]>] {
        var result: [String: ExplicitNull<[DockerContainerCreate.PortBindingWire]>] = [:]
        for key in record.config.exposedPorts { result[key] = ExplicitNull(nil) }
        var published: [String: [DockerContainerCreate.PortBindingWire]] = [:]
        for port in record.state.published {
            published["\(port.containerPort)/\(port.transport.rawValue)", default: []].append(
                .init(HostIp: port.hostIP.description, HostPort: "\(port.hostPort)"))
        }
        for (key, bindings) in published { result[key] = ExplicitNull(bindings) }
        return result
    }

    static func stateName(_ state: ContainerState) -> String {
        switch state.status {
        case .created: "created"
        case .running: state.paused ? "paused" : "running"
        case .exited: "exited"
        case .removing: "removing"
        case .restarting: "restarting"
        }
    }

    static func inspect(_ record: ContainerRecord, logPath: String, directory: String) -> DockerContainerInspect {
        let zero = "0001-01-01T00:00:00Z"
        let primary = record.endpoints.first
        return DockerContainerInspect(
            Id: record.id, Created: RFC3339.nano(record.created), Path: record.config.argv.first ?? "",
            Args: Array(record.config.argv.dropFirst()),
            State: .init(
                Status: stateName(record.state), Running: record.state.isRunning, Paused: record.state.paused,
                Restarting: record.state.status == .restarting, OOMKilled: false, Dead: false, Pid: record.state.pid,
                ExitCode: record.state.exitCode, Error: record.state.error,
                StartedAt: record.state.startedAt.map(RFC3339.nano) ?? zero,
                FinishedAt: record.state.finishedAt.map(RFC3339.nano) ?? zero,
                Health: record.state.health.map { health in
                    .init(Status: health.status.rawValue, FailingStreak: health.failingStreak, Log: health.log.map {
                        .init(Start: RFC3339.nano($0.start), End: RFC3339.nano($0.end), ExitCode: $0.exitCode, Output: $0.output)
                    })
                }),
            Image: record.imageID, ResolvConfPath: "\(directory)/etc/resolv.conf",
            HostnamePath: "\(directory)/etc/hostname", HostsPath: "\(directory)/etc/hosts", LogPath: logPath,
            Name: "/" + record.name, RestartCount: record.restartCount, Driver: "overlayfs", Platform: "linux",
            MountLabel: "", ProcessLabel: "", AppArmorProfile: "",
            HostConfig: .init(
                NetworkMode: record.host.networkMode, AutoRemove: record.host.autoRemove,
                RestartPolicy: .init(Name: record.host.restartPolicy.name.rawValue,
                                     MaximumRetryCount: record.host.restartPolicy.maximumRetryCount),
                Memory: record.host.memoryBytes ?? 0, NanoCpus: record.host.nanoCPUs ?? 0,
                LogConfig: .init(Type: "json-file", Config: [:]), PortBindings: hostPortBindings(record),
                PublishAllPorts: record.host.publishAllPorts, Dns: record.host.dns, DnsSearch: record.host.dnsSearch,
                ExtraHosts: record.host.extraHosts, Links: record.host.links.isEmpty ? nil : record.host.links,
                CapAdd: record.host.capAdd.isEmpty ? nil : record.host.capAdd,
                CapDrop: record.host.capDrop.isEmpty ? nil : record.host.capDrop,
                ReadonlyRootfs: record.host.readOnlyRootfs, ShmSize: record.host.shmBytes ?? 64 << 20,
                SecurityOpt: securityOptions(record.host),
                Binds: record.host.binds.isEmpty ? nil : record.host.binds, VolumesFrom: nil,
                PidsLimit: record.host.limits.pidsLimit, CpuShares: record.host.limits.cpuShares ?? 0,
                CpusetCpus: record.host.limits.cpusetCpus ?? "", CpusetMems: record.host.limits.cpusetMems ?? "",
                MemoryReservation: record.host.limits.memoryReservation ?? 0, MemorySwap: record.host.limits.memorySwap ?? 0,
                Ulimits: record.host.ulimits.isEmpty ? nil : record.host.ulimits.map { .init(Name: $0.name, Soft: $0.soft, Hard: $0.hard) },
                Sysctls: record.host.sysctls.isEmpty ? nil : record.host.sysctls,
                GroupAdd: record.host.groupAdd.isEmpty ? nil : record.host.groupAdd,
                Init: record.host.initProcess ? true : nil, OomKillDisable: record.host.limits.oomKillDisable),
            Mounts: mountPoints(record),
            Config: .init(
                Hostname: record.config.hostname, Domainname: "", User: record.config.user,
                AttachStdin: record.config.attachStdin, AttachStdout: record.config.attachStdout,
                AttachStderr: record.config.attachStderr,
                ExposedPorts: record.config.exposedPorts.isEmpty ? nil
                    : Dictionary(uniqueKeysWithValues: record.config.exposedPorts.map { ($0, .init()) }),
                Tty: record.config.tty, OpenStdin: record.config.openStdin, StdinOnce: record.config.stdinOnce,
                Env: record.config.env, Cmd: record.config.cmd, Image: record.imageName, Volumes: nil,
                WorkingDir: record.config.workingDir,
                Entrypoint: ExplicitNull(record.config.entrypoint.isEmpty ? nil : record.config.entrypoint),
                Labels: record.config.labels, StopSignal: record.config.stopSignal, StopTimeout: record.host.stopTimeout,
                Healthcheck: record.config.healthcheck),
            NetworkSettings: .init(
                Bridge: "", SandboxID: record.state.isRunning ? record.id : "",
                SandboxKey: record.state.isRunning ? "/run/netns/\(record.shortID)" : "", Ports: networkPorts(record),
                Gateway: primary?.gateway?.description ?? "", IPAddress: primary?.address.address.description ?? "",
                IPPrefixLen: primary?.address.prefixLength ?? 0, MacAddress: primary?.macAddress ?? "",
                Networks: endpoints(record)))
    }

    static func imageSummary(_ image: ImageRecord, containers: Int) -> DockerImageSummary {
        DockerImageSummary(
            Id: image.id, ParentId: "", RepoTags: image.repoTags, RepoDigests: image.repoDigests,
            Created: Int64(image.created.timeIntervalSince1970), Size: image.size, SharedSize: -1,
            Labels: image.configuration.config?.Labels ?? [:], Containers: containers)
    }

    static func imageInspect(_ image: ImageRecord) -> DockerImageInspect {
        let config = image.configuration.config
        return DockerImageInspect(
            Id: image.id, RepoTags: image.repoTags, RepoDigests: image.repoDigests, Parent: "", Comment: "",
            Created: RFC3339.nano(image.created), DockerVersion: "", Author: image.configuration.author ?? "",
            Architecture: image.configuration.architecture ?? "amd64", Os: image.configuration.os ?? "linux",
            Size: image.size,
            Config: .init(Env: config?.Env ?? [], Cmd: ExplicitNull(config?.Cmd), Entrypoint: ExplicitNull(config?.Entrypoint),
                          WorkingDir: config?.WorkingDir ?? "", User: config?.User ?? "", Labels: config?.Labels ?? [:]),
            RootFS: .init(Type: "layers", Layers: image.diffIDs))
    }
}
