import Foundation
import VICCore

/// Everything vic keeps about one container, persisted as JSON in its directory.
public struct ContainerRecord: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var created: Date
    /// The image as the user named it ("busybox") and its ID ("sha256:…").
    public var imageName: String
    public var imageID: String
    public var config: ContainerConfig
    public var host: HostSettings
    public var endpoints: [Endpoint]
    public var state: ContainerState
    public var restartCount: Int

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

    public var shortID: String { Identifier.short(id) }
}

/// What runs: the process, its environment and stdio.
public struct ContainerConfig: Codable, Sendable, Equatable {
    public var hostname: String
    public var user: String
    public var env: [String]
    public var entrypoint: [String]
    public var cmd: [String]
    public var workingDir: String
    public var tty: Bool
    public var openStdin: Bool
    public var stdinOnce: Bool
    public var attachStdin: Bool
    public var attachStdout: Bool
    public var attachStderr: Bool
    public var labels: [String: String]
    public var exposedPorts: [String]
    public var stopSignal: String?

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
}

/// Docker's HostConfig, the parts vic honours.
public struct HostSettings: Codable, Sendable, Equatable {
    public var autoRemove: Bool
    public var restartPolicy: RestartPolicy
    public var memoryBytes: Int64?
    public var nanoCPUs: Int64?
    public var networkMode: String
    /// `-p`: what the user asked to publish. Host ports are chosen at start (`PublishedPort`).
    public var portBindings: [PortBinding]
    /// `-P`: publish every exposed port on an ephemeral host port.
    public var publishAllPorts: Bool
    /// `--dns`, `--dns-search`, `--add-host` (`name:ip`) and `--link` (`target:alias`) on the
    /// default bridge.
    public var dns: [String]
    public var dnsSearch: [String]
    public var extraHosts: [String]
    public var links: [String]

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
    }
}

/// `--restart no | on-failure[:N] | always | unless-stopped`.
public struct RestartPolicy: Codable, Sendable, Equatable {
    public enum Name: String, Codable, Sendable { case no, onFailure = "on-failure", always, unlessStopped = "unless-stopped" }
    public var name: Name
    public var maximumRetryCount: Int

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
    public var network: String
    public var networkID: String
    public var address: IPv4Interface
    public var gateway: IPv4Address?
    public var macAddress: String
    public var dnsServers: [IPv4Address]
    /// `--network-alias`: names other members of the network resolve to this endpoint.
    public var aliases: [String]
    /// `--link target:alias` on this network: visible to this container only.
    public var links: [String]

    public init(network: String, networkID: String, address: IPv4Interface, gateway: IPv4Address?,
                macAddress: String, dnsServers: [IPv4Address], aliases: [String] = [], links: [String] = []) {
        self.network = network
        self.networkID = networkID
        self.address = address
        self.gateway = gateway
        self.macAddress = macAddress
        self.dnsServers = dnsServers
        self.aliases = aliases
        self.links = links
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
    }
}
