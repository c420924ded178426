import Foundation
import VICCore
import VICImage
import VICRuntime

/// Everything vic keeps about one container, persisted as JSON in its directory.
public struct ContainerRecord: Codable, Sendable, Equatable {
    /// The 64-hex container ID; also the name of its directory and runtime container.
    public var id: String
    /// The unique name, without Docker's leading "/".
    public var name: String
    /// When `docker create` made it.
    public var created: Date
    /// The image as the user named it ("busybox") and its ID ("sha256:…").
    public var imageName: String
    /// The resolved image's ID, "sha256:…"; `docker rmi` checks it before deleting an image.
    public var imageID: String
    /// The process settings, with the image's defaults already merged in.
    public var config: ContainerConfig
    /// The host-side settings as requested (`HostConfig`).
    public var host: HostSettings
    /// The networks joined, primary first; each keeps its address reserved until removal.
    public var endpoints: [Endpoint]
    /// The lifecycle state, changed only through `ContainerState`'s event methods.
    public var state: ContainerState
    /// How many times the restart policy has restarted it; starts at 0.
    public var restartCount: Int

    /// A record in the created state with no restarts; nothing is persisted here.
    public init(id: String, name: String, created: Date, imageName: String, imageID: String,
                config: ContainerConfig, host: HostSettings, endpoints: [Endpoint]) {
        self.id = id
        self.name = name
        self.created = created
        self.imageName = imageName
        self.imageID = imageID
        self.config = config
        self.host = host
        self.endpoints = endpoints
        self.state = ContainerState()
        self.restartCount = 0
    }

    /// The first 12 hex digits of `id`, as `docker ps` shows.
    public var shortID: String { Identifier.short(id) }
}

/// What runs: the process, its environment and stdio.
public struct ContainerConfig: Codable, Sendable, Equatable {
    /// The container's hostname; the short ID unless the user gave one.
    public var hostname: String
    /// `user[:group]` (names or IDs) to run as; empty means root.
    public var user: String
    /// `KEY=value` entries: the image's, overridden by the user's, always with a PATH.
    public var env: [String]
    /// The argv prefix; the user's `--entrypoint`, else the image's.
    public var entrypoint: [String]
    /// The arguments after the entrypoint; the user's, else the image's unless the entrypoint was overridden.
    public var cmd: [String]
    /// The initial working directory; empty means the runtime's default (/).
    public var workingDir: String
    /// `-t`: the process gets a pseudo-terminal; stdout and stderr are then one stream.
    public var tty: Bool
    /// `-i`: stdin is kept open for attached clients.
    public var openStdin: Bool
    /// Stdin closes after the first attached client detaches.
    public var stdinOnce: Bool
    /// Whether `docker start -a`/`run` attaches stdin.
    public var attachStdin: Bool
    /// Whether `docker start -a`/`run` attaches stdout.
    public var attachStdout: Bool
    /// Whether `docker start -a`/`run` attaches stderr.
    public var attachStderr: Bool
    /// The image's labels, overridden key by key by the user's.
    public var labels: [String: String]
    /// Ports as "port/proto" ("80/tcp"): the image's and the user's, sorted; what `-P` publishes.
    public var exposedPorts: [String]
    /// The signal `docker stop` sends first; nil means SIGTERM.
    public var stopSignal: String?
    /// The health check: the user's over the image's (`NONE` kept, as dockerd keeps it); nil
    /// when neither has one. Only an enabled one (`isEnabled`) is probed.
    public var healthcheck: ImageConfiguration.HealthConfig? = nil
    /// The image's `SHELL`, for a `CMD-SHELL` health check; nil is `/bin/sh -c`.
    public var shell: [String]? = nil

    /// Stores the settings as given; merging with the image is the caller's job.
    public init(hostname: String, user: String, env: [String], entrypoint: [String], cmd: [String],
                workingDir: String, tty: Bool, openStdin: Bool, stdinOnce: Bool, attachStdin: Bool,
                attachStdout: Bool, attachStderr: Bool, labels: [String: String], exposedPorts: [String],
                stopSignal: String?) {
        self.hostname = hostname
        self.user = user
        self.env = env
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.workingDir = workingDir
        self.tty = tty
        self.openStdin = openStdin
        self.stdinOnce = stdinOnce
        self.attachStdin = attachStdin
        self.attachStdout = attachStdout
        self.attachStderr = attachStderr
        self.labels = labels
        self.exposedPorts = exposedPorts
        self.stopSignal = stopSignal
    }

    /// Entrypoint followed by command: the process's argv.
    public var argv: [String] { entrypoint + cmd }

    /// The signal `docker stop` sends first, as a number: the configured one, else SIGTERM.
    var stopSignalNumber: Int32 { ContainerFiles.signalNumber(stopSignal) ?? SIGTERM }
}

/// Docker's HostConfig, the parts vic honours.
public struct HostSettings: Codable, Sendable, Equatable {
    /// `--rm`: the container is removed once it exits.
    public var autoRemove: Bool
    /// `--restart`.
    public var restartPolicy: RestartPolicy
    /// `-m`: the memory limit in bytes; nil means unlimited.
    public var memoryBytes: Int64?
    /// `--cpus` in billionths of a CPU; nil means unlimited.
    public var nanoCPUs: Int64?
    /// `--net`: "default"/"bridge", "none", or a network name or ID.
    public var networkMode: String
    /// `-p`: what the user asked to publish. Host ports are chosen at start (`PublishedPort`).
    public var portBindings: [PortBinding]
    /// `-P`: publish every exposed port on an ephemeral host port.
    public var publishAllPorts: Bool
    /// `--dns`, `--dns-search`, `--add-host` (`name:ip`) and `--link` (`target:alias`) on the
    /// default bridge.
    public var dns: [String]
    /// `--dns-search` domains.
    public var dnsSearch: [String]
    /// `--add-host` entries as "name:ip".
    public var extraHosts: [String]
    /// `--link` entries as "target:alias", honoured on the default bridge.
    public var links: [String]
    /// `--cap-add` and `--cap-drop`, as given ("ALL" allowed).
    public var capAdd: [String] = []
    public var capDrop: [String] = []
    /// `--read-only`.
    public var readOnlyRootfs = false
    /// `--shm-size` in bytes; nil: 64 MiB.
    public var shmBytes: Int64? = nil
    /// `--security-opt no-new-privileges`.
    public var noNewPrivileges = false
    /// `--stop-timeout`: seconds `docker stop` waits before SIGKILL when not told; nil: 10.
    public var stopTimeout: Int? = nil
    /// Volumes and tmpfs mounts, resolved at create (`ContainerManager.resolveMounts`); the
    /// request's own are ignored.
    public var mounts: [ContainerMount] = []
    /// `-v` as given, for inspect's `HostConfig.Binds`.
    public var binds: [String] = []
    /// `--pids-limit`, `--cpu-shares`, `--cpuset-*`, `--memory-reservation`.
    public var limits = CgroupLimits()
    /// `--ulimit`.
    public var ulimits: [Ulimit] = []
    /// `--sysctl`, namespaced ones only.
    public var sysctls: [String: String] = [:]
    /// `--group-add`: group names or IDs, resolved in the container's /etc/group at start.
    public var groupAdd: [String] = []
    /// `--init`: tini runs as the container's first process, reaping and forwarding signals.
    public var initProcess = false
    /// `--security-opt seccomp=unconfined`: no seccomp filter.
    public var seccompUnconfined = false

    /// Host settings; the optional features default to off or empty.
    public init(autoRemove: Bool, restartPolicy: RestartPolicy, memoryBytes: Int64?, nanoCPUs: Int64?,
                networkMode: String, portBindings: [PortBinding] = [], publishAllPorts: Bool = false,
                dns: [String] = [], dnsSearch: [String] = [], extraHosts: [String] = [], links: [String] = []) {
        self.autoRemove = autoRemove
        self.restartPolicy = restartPolicy
        self.memoryBytes = memoryBytes
        self.nanoCPUs = nanoCPUs
        self.networkMode = networkMode
        self.portBindings = portBindings
        self.publishAllPorts = publishAllPorts
        self.dns = dns
        self.dnsSearch = dnsSearch
        self.extraHosts = extraHosts
        self.links = links
    }

    /// Records written before a field existed decode with its default.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        autoRemove = try values.decode(Bool.self, forKey: .autoRemove)
        restartPolicy = try values.decode(RestartPolicy.self, forKey: .restartPolicy)
        memoryBytes = try values.decodeIfPresent(Int64.self, forKey: .memoryBytes)
        nanoCPUs = try values.decodeIfPresent(Int64.self, forKey: .nanoCPUs)
        networkMode = try values.decode(String.self, forKey: .networkMode)
        portBindings = try values.decodeIfPresent([PortBinding].self, forKey: .portBindings) ?? []
        publishAllPorts = try values.decodeIfPresent(Bool.self, forKey: .publishAllPorts) ?? false
        dns = try values.decodeIfPresent([String].self, forKey: .dns) ?? []
        dnsSearch = try values.decodeIfPresent([String].self, forKey: .dnsSearch) ?? []
        extraHosts = try values.decodeIfPresent([String].self, forKey: .extraHosts) ?? []
        links = try values.decodeIfPresent([String].self, forKey: .links) ?? []
        capAdd = try values.decodeIfPresent([String].self, forKey: .capAdd) ?? []
        capDrop = try values.decodeIfPresent([String].self, forKey: .capDrop) ?? []
        readOnlyRootfs = try values.decodeIfPresent(Bool.self, forKey: .readOnlyRootfs) ?? false
        shmBytes = try values.decodeIfPresent(Int64.self, forKey: .shmBytes)
        noNewPrivileges = try values.decodeIfPresent(Bool.self, forKey: .noNewPrivileges) ?? false
        stopTimeout = try values.decodeIfPresent(Int.self, forKey: .stopTimeout)
        mounts = try values.decodeIfPresent([ContainerMount].self, forKey: .mounts) ?? []
        binds = try values.decodeIfPresent([String].self, forKey: .binds) ?? []
        limits = try values.decodeIfPresent(CgroupLimits.self, forKey: .limits) ?? CgroupLimits()
        ulimits = try values.decodeIfPresent([Ulimit].self, forKey: .ulimits) ?? []
        sysctls = try values.decodeIfPresent([String: String].self, forKey: .sysctls) ?? [:]
        groupAdd = try values.decodeIfPresent([String].self, forKey: .groupAdd) ?? []
        initProcess = try values.decodeIfPresent(Bool.self, forKey: .initProcess) ?? false
        seccompUnconfined = try values.decodeIfPresent(Bool.self, forKey: .seccompUnconfined) ?? false
    }
}

/// `--restart no | on-failure[:N] | always | unless-stopped`.
public struct RestartPolicy: Codable, Sendable, Equatable {
    /// The policy, with Docker's spelling as raw value.
    public enum Name: String, Codable, Sendable { case no, onFailure = "on-failure", always, unlessStopped = "unless-stopped" }
    /// Which policy applies.
    public var name: Name
    /// `on-failure:N`: at most N restarts; 0 means no limit. Ignored by other policies.
    public var maximumRetryCount: Int

    /// A policy; `maximumRetryCount` matters only for `.onFailure`.
    public init(name: Name, maximumRetryCount: Int = 0) {
        self.name = name
        self.maximumRetryCount = maximumRetryCount
    }

    /// Whether a container that exited with `code` restarts, given its restarts so far and
    /// whether the user stopped it.
    public func shouldRestart(exitCode: Int, restarts: Int, stoppedByUser: Bool) -> Bool {
        switch name {
        case .no: return false
        case .always: return !stoppedByUser
        case .unlessStopped: return !stoppedByUser
        case .onFailure: return exitCode != 0 && !stoppedByUser && (maximumRetryCount == 0 || restarts < maximumRetryCount)
        }
    }
}

/// A container's membership of one network: its address stays reserved until removal.
public struct Endpoint: Codable, Sendable, Equatable {
    /// The network's name.
    public var network: String
    /// The network's 64-hex ID.
    public var networkID: String
    /// The container's address with its subnet prefix.
    public var address: IPv4Interface
    /// The network's gateway; nil on a DHCP network until the container gets a lease.
    public var gateway: IPv4Address?
    /// The NIC's MAC address, "aa:bb:cc:dd:ee:ff".
    public var macAddress: String
    /// The resolvers for this network: the network's, else its gateway (or the DHCP lease's).
    public var dnsServers: [IPv4Address]
    /// `--network-alias`: names other members of the network resolve to this endpoint.
    public var aliases: [String]
    /// `--link target:alias` on this network: visible to this container only.
    public var links: [String]
    /// The container's IPv6 address on a `--ipv6` network, with the subnet's prefix; nil on an
    /// IPv4-only network (and in records written before vic had IPv6).
    public var address6: IPv6Interface?
    /// The network's IPv6 gateway (the appliance), set with `address6`.
    public var gateway6: IPv6Address?

    /// An endpoint; `aliases` and `links` default to none, and it has no IPv6 address.
    public init(network: String, networkID: String, address: IPv4Interface, gateway: IPv4Address?,
                macAddress: String, dnsServers: [IPv4Address], aliases: [String] = [], links: [String] = [],
                address6: IPv6Interface? = nil, gateway6: IPv6Address? = nil) {
        self.network = network
        self.networkID = networkID
        self.address = address
        self.gateway = gateway
        self.macAddress = macAddress
        self.dnsServers = dnsServers
        self.aliases = aliases
        self.links = links
        self.address6 = address6
        self.gateway6 = gateway6
    }

    /// Records written before a field existed decode with its default.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        network = try values.decode(String.self, forKey: .network)
        networkID = try values.decode(String.self, forKey: .networkID)
        address = try values.decode(IPv4Interface.self, forKey: .address)
        gateway = try values.decodeIfPresent(IPv4Address.self, forKey: .gateway)
        macAddress = try values.decode(String.self, forKey: .macAddress)
        dnsServers = try values.decode([IPv4Address].self, forKey: .dnsServers)
        aliases = try values.decodeIfPresent([String].self, forKey: .aliases) ?? []
        links = try values.decodeIfPresent([String].self, forKey: .links) ?? []
        address6 = try values.decodeIfPresent(IPv6Interface.self, forKey: .address6)
        gateway6 = try values.decodeIfPresent(IPv6Address.self, forKey: .gateway6)
    }
}
