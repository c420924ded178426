import Foundation
import Testing
import VICCore
@testable import VICPortLayer

private func net6(_ text: String) throws -> IPv6Network { try #require(IPv6Network(cidr: text)) }
private func ip6(_ text: String) throws -> IPv6Address { try #require(IPv6Address(text)) }

/// `docker network create --ipv6`: the planner's IPv6 rules, the IPv6 pool and the store.
@Suite struct IPv6PlanningTests {
    static let created = Date(timeIntervalSince1970: 1_700_000_000)
    static let id = "12345678" + "9abcdef0" + String(repeating: "0", count: 48)

    func planner() throws -> NetworkPlanner {
        NetworkPlanner(bridgeRange: try #require(IPv4Network(cidr: "172.16.0.0/12")), width: 16, portGroup: "bridgedpg")
    }

    func plan(_ request: NetworkRequest, existing: [NetworkScope] = [], id: String = id) throws -> NetworkScope {
        try planner().plan(request, existing: existing, id: id, created: Self.created)
    }

    @Test func ipv6AloneGetsAUniqueLocalSlash64FromTheIDWithGatewayOne() throws {
        let scope = try plan(NetworkRequest(name: "six", enableIPv6: true))
        #expect(scope.subnet6?.description == "fd12:3456:789a::/64")
        #expect(scope.gateway6?.description == "fd12:3456:789a::1")
        #expect(scope.gatewayInterface6?.description == "fd12:3456:789a::1/64")
        #expect(scope.enableIPv6)
        #expect(scope.subnet?.description == "172.16.0.0/16")
        // A second network whose ID starts the same moves along its ID.
        let other = try plan(NetworkRequest(name: "other", enableIPv6: true), existing: [scope])
        #expect(other.subnet6?.description == "fd34:5678:9abc::/64")
    }

    @Test func givenSubnetAndGateway() throws {
        let scope = try plan(NetworkRequest(name: "six", enableIPv6: true, subnet6: try net6("fd00:6::/80"), gateway6: try ip6("fd00:6::fe")))
        #expect(scope.subnet6?.description == "fd00:6::/80")
        #expect(scope.gateway6?.description == "fd00:6::fe")
        #expect(scope.pool6?.reserved == [try ip6("fd00:6::"), try ip6("fd00:6::fe")])
    }

    @Test(arguments: [
        (NetworkRequest(name: "x", subnet6: IPv6Network(cidr: "fd00::/64")), "IPv6 is not enabled on network x: add --ipv6"),
        (NetworkRequest(name: "x", gateway6: IPv6Address("fd00::1")), "IPv6 is not enabled"),
        (NetworkRequest(name: "x", enableIPv6: true, subnet6: IPv6Network(cidr: "fd00::/127")), "too small"),
        (NetworkRequest(name: "x", enableIPv6: true, subnet6: IPv6Network(cidr: "fe80::/64")), "overlaps fe80::/10"),
        (NetworkRequest(name: "x", enableIPv6: true, subnet6: IPv6Network(cidr: "::/0")), "not usable"),
        (NetworkRequest(name: "x", enableIPv6: true, subnet6: IPv6Network(cidr: "ff02::/64")), "overlaps ff00::/8"),
        (NetworkRequest(name: "x", enableIPv6: true, subnet6: IPv6Network(cidr: "fd00::/64"), gateway6: IPv6Address("fd01::1")),
         "gateway address fd01::1 is not routable on network fd00::/64"),
        (NetworkRequest(name: "x", enableIPv6: true, subnet6: IPv6Network(cidr: "fd00::/64"), gateway6: IPv6Address("fd00::")),
         "not routable"),
    ])
    func refused(_ request: NetworkRequest, _ message: String) throws {
        do {
            _ = try plan(request)
            Issue.record("planned \(request)")
        } catch let error as VICError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func overlappingIPv6SubnetsConflict() throws {
        let first = try plan(NetworkRequest(name: "a", enableIPv6: true, subnet6: try net6("fd00:1::/48")))
        do {
            _ = try plan(NetworkRequest(name: "b", enableIPv6: true, subnet6: try net6("fd00:1:0:2::/64")), existing: [first], id: "b")
            Issue.record("an overlapping IPv6 subnet was planned")
        } catch let error as VICError {
            #expect(error.code == .conflict)
            #expect(error.message == "subnet fd00:1:0:2::/64 overlaps with scope a subnet fd00:1::/48")
        }
    }

    @Test func poolHandsOutLowestFreeAfterTheGatewayAndTakesBack() throws {
        var pool = IPv6AddressPool(subnet: try net6("fd00::/64"), excluded: [try ip6("fd00::1")])
        #expect(try pool.reserveNext(network: "six").description == "fd00::2")
        #expect(try pool.reserveNext(network: "six").description == "fd00::3")
        try pool.reserve(try ip6("fd00::5"), network: "six")
        #expect(throws: VICError.self) { try pool.reserve(try ip6("fd00::5"), network: "six") }
        #expect(throws: VICError.self) { try pool.reserve(try ip6("fd01::5"), network: "six") }
        pool.release(try ip6("fd00::2"))
        #expect(try pool.reserveNext(network: "six").description == "fd00::2")
        #expect(try pool.reserveNext(network: "six").description == "fd00::4")
        var tiny = IPv6AddressPool(subnet: try net6("fd00::/127"))
        _ = try tiny.reserveNext(network: "t")
        _ = try tiny.reserveNext(network: "t")
        #expect(throws: VICError.self) { try tiny.reserveNext(network: "t") }
    }

    @Test func storeKeepsIPv6AndReadsFilesWrittenBeforeIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vic-ipv6-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = NetworkStore(path: directory.appendingPathComponent("networks.json").path)
        let six = try plan(NetworkRequest(name: "six", enableIPv6: true))
        let four = try plan(NetworkRequest(name: "four"), existing: [six], id: "4444444444")
        try store.save([six, four])
        let loaded = try store.load()
        #expect(loaded.first { $0.name == "six" }?.subnet6 == six.subnet6)
        #expect(loaded.first { $0.name == "six" }?.pool6 == six.pool6)
        #expect(loaded.first { $0.name == "four" }?.subnet6 == nil)
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(text.components(separatedBy: "subnet6").count == 2, "only the IPv6 network stores an IPv6 subnet")
    }
}
