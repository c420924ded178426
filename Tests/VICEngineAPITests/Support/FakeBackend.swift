import Foundation
import VICCore
import VICPortLayer
import VICEngineAPI

/// An `EngineBackend` with fixed answers, or a fixed error for every call.
struct FakeBackend: EngineBackend {
    var info: SystemInfo = FakeBackend.sampleInfo
    var networks: [NetworkDescription] = []
    var failure: VICError?

    func systemInfo() async throws -> SystemInfo {
        if let failure { throw failure }
        return info
    }

    func listNetworks() async throws -> [NetworkDescription] {
        if let failure { throw failure }
        return networks
    }

    func network(idOrName: String) async throws -> NetworkDescription {
        if let failure { throw failure }
        if let match = networks.first(where: { $0.name == idOrName || $0.id == idOrName }) { return match }
        let prefixed = networks.filter { $0.id.hasPrefix(idOrName) }
        if prefixed.count == 1, let only = prefixed.first { return only }
        throw VICError(.notFound, "network \(idOrName) not found")
    }

    /// What the network mutations were asked, for tests to read.
    let calls = CallLog()

    func createNetwork(_ request: NetworkRequest) async throws -> String {
        if let failure { throw failure }
        if networks.contains(where: { $0.name == request.name }) {
            throw VICError(.conflict, "network \(request.name) already exists")
        }
        await calls.record("create \(request)")
        return FakeBackend.webID
    }

    func removeNetwork(idOrName: String) async throws {
        if let failure { throw failure }
        let network = try await network(idOrName: idOrName)
        if network.isBuiltin { throw VICError(.invalidArgument, "cannot remove builtin scope") }
        await calls.record("remove \(network.name)")
    }

    func pruneNetworks(where keep: @escaping @Sendable (NetworkDescription) -> Bool) async throws -> [String] {
        if let failure { throw failure }
        return networks.filter { !$0.isBuiltin && $0.endpoints.isEmpty && keep($0) }.map(\.name)
    }

    func connect(network: String, container: String, endpoint: NetworkAttachment) async throws {
        if let failure { throw failure }
        await calls.record("connect \(network) \(container) \(endpoint.ipv4Address?.description ?? "-") \(endpoint.aliases) \(endpoint.links)")
    }

    func disconnect(network: String, container: String, force: Bool) async throws {
        if let failure { throw failure }
        await calls.record("disconnect \(network) \(container) \(force)")
    }

    actor CallLog {
        private(set) var entries: [String] = []
        func record(_ entry: String) { entries.append(entry) }
    }

    static let bridgeID = String(repeating: "ab", count: 32)
    static let webID = String(repeating: "c0", count: 32)
    static let externalID = String(repeating: "1e", count: 32)
    static let containerID = String(repeating: "9f", count: 32)
    /// 2024-05-06T07:08:09.25Z
    static let created = Date(timeIntervalSince1970: 1_714_979_289.25)

    static let sampleInfo = SystemInfo(
        name: "vch-test", id: "VCH1:TEST", cpus: 2, memoryBytes: 4_294_967_296, kernelVersion: "6.1.0-test",
        architecture: "x86_64", serverVersion: "0.1.0-test",
        containers: .init(running: 1, paused: 0, stopped: 2), images: 3,
        storageDriverStatus: [.init("Backing Filesystem", "extfs")], runtimes: ["crun": "/usr/bin/crun"],
        rootDirectory: "/var/lib/vic/vch-test",
        registry: .init(mirrors: ["https://mirror.example"], insecureRegistries: ["10.0.0.0/8", "reg.lab:5000"]),
        labels: ["team=net"])

    /// `bridge` (one container), `web` (labels, a narrower pool) and `vm-net` (external, DHCP).
    static func sampleNetworks() throws -> [NetworkDescription] {
        [
            NetworkDescription(
                name: "bridge", id: bridgeID, driver: .bridge, created: created,
                addressConfigurations: [
                    .init(subnet: try parse(IPv4Network(cidr: "172.16.0.0/16")), gateway: IPv4Address("172.16.0.1"))
                ],
                endpoints: [
                    containerID: .init(
                        containerName: "web1", endpointID: containerID, macAddress: "02:42:ac:10:00:02",
                        ipv4Address: IPv4Interface("172.16.0.2/16"))
                ]),
            NetworkDescription(
                name: "web", id: webID, driver: .bridge, labels: ["tier": "front", "env": "lab"], created: created,
                addressConfigurations: [
                    .init(
                        subnet: try parse(IPv4Network(cidr: "172.17.0.0/16")), gateway: IPv4Address("172.17.0.1"),
                        range: IPv4Range(parsing: "172.17.0.10-172.17.0.20"))
                ]),
            NetworkDescription(name: "vm-net", id: externalID, driver: .external, created: created),
        ]
    }

    /// A backend with the sample info and networks.
    static func sample() throws -> FakeBackend {
        FakeBackend(networks: try sampleNetworks())
    }

    struct FixtureError: Error {}

    private static func parse<Value>(_ value: Value?) throws -> Value {
        guard let value else { throw FixtureError() }
        return value
    }
}
