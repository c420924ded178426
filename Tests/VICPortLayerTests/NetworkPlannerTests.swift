import Foundation
import Testing
import VICCore
@testable import VICPortLayer

private func net(_ text: String) throws -> IPv4Network { try #require(IPv4Network(cidr: text)) }
private func ip(_ text: String) throws -> IPv4Address { try #require(IPv4Address(text)) }

@Suite struct NetworkPlannerTests {
    static let created = Date(timeIntervalSince1970: 1_700_000_000)

    func planner() throws -> NetworkPlanner {
        NetworkPlanner(bridgeRange: try net("172.16.0.0/12"), width: 16, portGroup: "bridgedpg")
    }

    func defaultBridge() throws -> NetworkScope {
        let subnet = try net("172.16.0.0/16")
        let gateway = try ip("172.16.0.1")
        return NetworkScope(name: "bridge", id: String(repeating: "a", count: 64), driver: .bridge, portGroup: "bridgedpg",
                            subnet: subnet, gateway: gateway, dnsServers: [gateway], builtin: true, created: Self.created,
                            pool: AddressPool(subnet: subnet, excluded: [gateway]))
    }

    func external() throws -> NetworkScope {
        let subnet = try net("192.168.0.0/16")
        return NetworkScope(name: "con-nw", id: String(repeating: "e", count: 64), driver: .external, portGroup: "connw",
                            subnet: subnet, gateway: try ip("192.168.100.1"), builtin: true, created: Self.created,
                            pool: AddressPool(subnet: subnet))
    }

    @Test func nextBlocksOfTheBridgeRangeWithGatewayAndNumber() throws {
        var existing = [try defaultBridge(), try external()]
        var subnets: [String] = []
        for index in 0..<15 {
            let scope = try planner().plan(NetworkRequest(name: "n\(index)"), existing: existing,
                                           id: String(repeating: "\(index % 10)", count: 64), created: Self.created)
            existing.append(scope)
            subnets.append(scope.subnet?.description ?? "")
            #expect(scope.gateway == scope.subnet?.first.advanced(by: 1))
            #expect(scope.number == index + 2)
            #expect(scope.applianceInterface == "bridge.\(index + 2)")
            #expect(scope.portGroup.hasPrefix("vb") && scope.portGroup.count == 12)
        }
        #expect(subnets.first == "172.17.0.0/16")
        #expect(subnets.last == "172.31.0.0/16")
        #expect(throws: VICError.self) {
            try planner().plan(NetworkRequest(name: "full"), existing: existing, id: "f", created: Self.created)
        }
        // A removed network's block is reused first.
        existing.removeAll { $0.name == "n0" }
        let reused = try planner().plan(NetworkRequest(name: "again"), existing: existing, id: "x", created: Self.created)
        #expect(reused.subnet?.description == "172.17.0.0/16")
        #expect(reused.number == 2)
    }

    @Test func subnetGatewayRangeInternalLabels() throws {
        let request = NetworkRequest(name: "lab", subnet: try net("10.9.0.0/24"), gateway: try ip("10.9.0.254"),
                                     ipRange: IPv4Range(try ip("10.9.0.128"), try ip("10.9.0.255")), internal: true,
                                     labels: ["a": "b"])
        var scope = try planner().plan(request, existing: [try defaultBridge()], id: "id", created: Self.created)
        #expect(scope.subnet?.description == "10.9.0.0/24")
        #expect(scope.gateway?.description == "10.9.0.254")
        #expect(scope.internal && scope.labels == ["a": "b"] && !scope.builtin)
        #expect(scope.dnsServers.map(\.description) == ["10.9.0.254"])
        var pool = try #require(scope.pool)
        #expect(try pool.reserveNext(network: "lab").description == "10.9.0.128")
        scope.pool = pool
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var request: NetworkRequest
        var message: String
        var code: VICError.Code
        var testDescription: String { message }
    }

    static func refusalCases() throws -> [Refusal] {
        [
            Refusal(request: NetworkRequest(name: ""), message: "scope name must not be empty", code: .invalidArgument),
            Refusal(request: NetworkRequest(name: "bad name"), message: "invalid network name bad name", code: .invalidArgument),
            Refusal(request: NetworkRequest(name: "bridge"), message: "network bridge already exists", code: .conflict),
            Refusal(request: NetworkRequest(name: "con-nw"), message: "network con-nw already exists", code: .conflict),
            Refusal(request: NetworkRequest(name: "host"), message: "network host already exists", code: .conflict),
            Refusal(request: NetworkRequest(name: "x", driver: "external"), message: "cannot create external networks", code: .invalidArgument),
            Refusal(request: NetworkRequest(name: "x", driver: "overlay"), message: "scope type not supported", code: .invalidArgument),
            Refusal(request: NetworkRequest(name: "x", subnet: try net("172.16.5.0/24")),
                    message: "subnet 172.16.5.0/24 overlaps with scope bridge subnet 172.16.0.0/16", code: .conflict),
            Refusal(request: NetworkRequest(name: "x", subnet: try net("192.168.1.0/24")),
                    message: "overlaps with scope con-nw", code: .conflict),
            Refusal(request: NetworkRequest(name: "x", subnet: try net("10.0.0.0/24"), gateway: try ip("10.0.0.255")),
                    message: "gateway address 10.0.0.255 is not routable on network 10.0.0.0/24", code: .invalidArgument),
            Refusal(request: NetworkRequest(name: "x", subnet: try net("10.0.0.0/24"), gateway: try ip("10.0.1.1")),
                    message: "is not routable", code: .invalidArgument),
            Refusal(request: NetworkRequest(name: "x", subnet: try net("10.0.0.0/24"),
                                            ipRange: IPv4Range(try ip("10.0.0.200"), try ip("10.0.1.5"))),
                    message: "IP range 10.0.0.200-10.0.1.5 is not in subnet 10.0.0.0/24", code: .invalidArgument),
            Refusal(request: NetworkRequest(name: "x", subnet: try net("10.0.0.0/31")), message: "too small", code: .invalidArgument),
        ]
    }

    @Test(arguments: try refusalCases())
    func refusals(_ refusal: Refusal) throws {
        let existing = [try defaultBridge(), try external()]
        do {
            _ = try planner().plan(refusal.request, existing: existing, id: "id", created: Self.created)
            Issue.record("accepted: \(refusal.request)")
        } catch let error as VICError {
            #expect(error.message.contains(refusal.message), "\(error.message)")
            #expect(error.code == refusal.code)
        }
    }
}

@Suite struct AddressPoolTests {
    @Test func lowestFreeSkipsGatewayDNSAndEdges() throws {
        var pool = AddressPool(subnet: try net("192.168.0.0/16"),
                               ranges: [try #require(IPv4Range(parsing: "192.168.100.1-3"))],
                               excluded: [try ip("192.168.100.1")])
        #expect(try pool.reserveNext(network: "c").description == "192.168.100.2")
        #expect(try pool.reserveNext(network: "c").description == "192.168.100.3")
        #expect(throws: VICError.self) { try pool.reserveNext(network: "c") }
        pool.release(try ip("192.168.100.2"))
        #expect(try pool.reserveNext(network: "c").description == "192.168.100.2")
    }

    @Test func staticAddressesInsideTheSubnetOnce() throws {
        var pool = AddressPool(subnet: try net("10.0.0.0/30"))
        try pool.reserve(try ip("10.0.0.1"), network: "n")
        #expect(throws: VICError.self) { try pool.reserve(try ip("10.0.0.1"), network: "n") }
        #expect(throws: VICError.self) { try pool.reserve(try ip("10.0.1.1"), network: "n") }
        #expect(try pool.reserveNext(network: "n").description == "10.0.0.2")
        #expect(throws: VICError.self) { try pool.reserveNext(network: "n") }
    }
}

@Suite struct NetworkStoreTests {
    @Test func roundTripsUserNetworksAtomically() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vic-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("containers"), withIntermediateDirectories: true)
        let store = NetworkStore(containersRoot: directory.appendingPathComponent("containers").path)
        #expect(store.path == directory.appendingPathComponent("networks.json").path)
        #expect(try store.load().isEmpty)
        let planner = NetworkPlanner(bridgeRange: try net("172.16.0.0/12"), width: 16, portGroup: "bridgedpg")
        let scope = try planner.plan(NetworkRequest(name: "web", internal: true, labels: ["k": "v"], options: ["o": "1"]),
                                     existing: [], id: String(repeating: "c", count: 64),
                                     created: Date(timeIntervalSince1970: 1_700_000_000))
        try store.save([scope])
        #expect(try store.load() == [scope])
    }
}
