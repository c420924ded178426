import Foundation
import VICConfig
import VICCore
import VICEngineAPI
import VICImage
import VICPortLayer
import VICRuntime

/// The Docker API's backend inside a VCH: answers from the port layer and the configuration.
/// The routes decode and encode; this decides.
public struct ApplianceBackend: PortLayerBackend {
    /// The VCH's configuration as loaded at start; never re-read.
    public let configuration: VCHConfiguration
    /// The port layer, which owns containers and network scopes.
    public let containers: ContainerManager
    /// The image store and puller.
    public let images: ImageService
    /// The OCI runtime, reported by name and path in `/info`.
    public let runtime: RuntimeCLI
    /// The host's CPU, memory, kernel and architecture, read once at start.
    public let facts: HostFacts

    /// Wires the backend to services vchd has already started; no side effects.
    public init(configuration: VCHConfiguration, containers: ContainerManager, images: ImageService,
                runtime: RuntimeCLI, facts: HostFacts) {
        self.configuration = configuration
        self.containers = containers
        self.images = images
        self.runtime = runtime
        self.facts = facts
    }

    /// `EngineBackend.systemInfo()`: counts from the port layer and image store, host facts, and
    /// the cgroup version seen at /sys/fs/cgroup (v2 when `cgroup.controllers` exists).
    public func systemInfo() async throws -> SystemInfo {
        let records = await containers.list()
        let running = records.filter { $0.state.isRunning }.count
        let pureV2 = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers")
        return SystemInfo(
            name: configuration.name, id: configuration.id, cpus: facts.cpus, memoryBytes: facts.memoryBytes,
            kernelVersion: facts.kernelVersion, operatingSystem: "vic", osType: "linux",
            architecture: facts.architecture == "amd64" ? "x86_64" : facts.architecture,
            serverVersion: vchdVersion,
            containers: .init(running: running, paused: 0, stopped: records.count - running),
            images: await images.list().count, storageDriver: "overlayfs",
            storageDriverStatus: [.init("Backing Filesystem", "overlayfs of unpacked layers"),
                                  .init("Image Store", configuration.imageStore)],
            runtimes: [runtime.name: runtime.executable], defaultRuntime: runtime.name,
            cgroupVersion: pureV2 ? "2" : "1",
            rootDirectory: configuration.imageStore,
            registry: .init(mirrors: configuration.registryMirrors, insecureRegistries: configuration.insecureRegistries))
    }

    /// `EngineBackend.listNetworks()`: every scope in name order, with all members, stopped ones included.
    public func listNetworks() async throws -> [NetworkDescription] {
        let records = await containers.list()
        return await containers.networkScopes.map { describe($0, records: records) }
    }

    /// `EngineBackend.network(idOrName:)`: an exact name or ID first, then a unique ID prefix.
    public func network(idOrName: String) async throws -> NetworkDescription {
        let scopes = await containers.networkScopes
        if let scope = scopes.first(where: { $0.name == idOrName || $0.id == idOrName }) {
            return describe(scope, records: await containers.list())
        }
        let matches = scopes.filter { $0.id.hasPrefix(idOrName) }
        if matches.count > 1 { throw VICError(.invalidArgument, "network \(idOrName) is ambiguous (\(matches.count) matches)") }
        guard let scope = matches.first, !idOrName.isEmpty else {
            throw VICError(.notFound, "network \(idOrName) not found")
        }
        return describe(scope, records: await containers.list())
    }

    /// `EngineBackend.createNetwork(_:)`: the port layer plans the scope, creates its bridge and
    /// gateway in the host and appliance namespaces, and updates the firewall.
    public func createNetwork(_ request: NetworkRequest) async throws -> String {
        try await containers.createNetwork(request).id
    }

    /// `EngineBackend.removeNetwork(idOrName:)`: the port layer removes the scope, its bridge and gateway.
    public func removeNetwork(idOrName: String) async throws {
        try await containers.removeNetwork(idOrName)
    }

    /// `EngineBackend.pruneNetworks(where:)`: `keep` sees each scope without its endpoints; user
    /// networks with any container are never removed.
    public func pruneNetworks(where keep: @escaping @Sendable (NetworkDescription) -> Bool) async throws -> [String] {
        try await containers.pruneNetworks { scope in keep(Self.describe(scope, records: [])) }
    }

    /// `EngineBackend.connect(network:container:endpoint:)`, delegated to the port layer.
    public func connect(network: String, container: String, endpoint: NetworkAttachment) async throws {
        try await containers.connect(container, to: network, endpoint)
    }

    /// `EngineBackend.disconnect(network:container:force:)`, delegated to the port layer.
    public func disconnect(network: String, container: String, force: Bool) async throws {
        try await containers.disconnect(container, from: network, force: force)
    }

    func describe(_ scope: NetworkScope, records: [ContainerRecord]) -> NetworkDescription {
        Self.describe(scope, records: records)
    }

    /// The API's view of a scope: every member, stopped ones included (they keep their address).
    static func describe(_ scope: NetworkScope, records: [ContainerRecord]) -> NetworkDescription {
        var configurations: [NetworkDescription.AddressConfiguration] = []
        if let subnet = scope.subnet {
            if scope.ranges.isEmpty {
                configurations.append(.init(subnet: subnet, gateway: scope.gateway))
            } else {
                for range in scope.ranges {
                    configurations.append(.init(subnet: subnet, gateway: scope.gateway,
                                                range: range == subnet.range ? nil : range))
                }
            }
        }
        var endpoints: [String: NetworkDescription.Endpoint] = [:]
        for record in records {
            for endpoint in record.endpoints where endpoint.network == scope.name {
                endpoints[record.id] = .init(containerName: record.name, endpointID: record.id,
                                             macAddress: endpoint.macAddress,
                                             ipv4Address: endpoint.isDynamic ? nil : endpoint.address,
                                             ipv6Address: endpoint.address6)
            }
        }
        return NetworkDescription(
            name: scope.name, id: scope.id, driver: scope.driver == .bridge ? .bridge : .external,
            isInternal: scope.internal, isBuiltin: scope.builtin, labels: scope.labels, created: scope.created,
            addressConfigurations: configurations, endpoints: endpoints, options: scope.options,
            ipv6Configurations: scope.subnet6.map { [.init(subnet: $0, gateway: scope.gateway6)] } ?? [])
    }
}

/// vchd's version string.
public let vchdVersion = "0.1.0"
