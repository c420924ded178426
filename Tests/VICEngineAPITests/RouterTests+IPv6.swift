import Foundation
import Testing
import VICCore
import VICPortLayer

@testable import VICEngineAPI

@Suite("IPv6 on the wire")
struct IPv6WireTests {
    @Test("network create: an IPv4 and an IPv6 config, told apart by their subnets, and --ipv6")
    func dualStackCreation() throws {
        let body = try JSONDecoder().decode(DockerNetworkCreate.self, from: Data(#"""
            {"Name":"six","EnableIPv6":true,"IPAM":{"Config":[
              {"Subnet":"fd00:6::/64","Gateway":"fd00:6::fe"},{"Subnet":"10.6.0.0/24","Gateway":"10.6.0.254"}]}}
            """#.utf8))
        let request = try Router.networkCreation(body)
        #expect(request.enableIPv6)
        #expect(request.subnet6?.description == "fd00:6::/64")
        #expect(request.gateway6?.description == "fd00:6::fe")
        #expect(request.subnet?.description == "10.6.0.0/24")
        #expect(request.gateway?.description == "10.6.0.254")
    }

    @Test("network create: --ipv6 alone leaves both subnets to the planner; no --ipv6 is IPv4 only")
    func bareFlags() throws {
        let bare = try Router.networkCreation(try JSONDecoder().decode(
            DockerNetworkCreate.self, from: Data(#"{"Name":"six","EnableIPv6":true}"#.utf8)))
        #expect(bare.enableIPv6 && bare.subnet6 == nil && bare.subnet == nil)
        let plain = try Router.networkCreation(try JSONDecoder().decode(
            DockerNetworkCreate.self, from: Data(#"{"Name":"four"}"#.utf8)))
        #expect(!plain.enableIPv6 && plain.subnet6 == nil)
    }

    @Test("network inspect: EnableIPv6, the IPv6 pool after the IPv4 one, and members' IPv6 addresses")
    func inspectShape() throws {
        let description = NetworkDescription(
            name: "six", id: String(repeating: "6", count: 64), driver: .bridge, created: Date(timeIntervalSince1970: 0),
            addressConfigurations: [.init(subnet: try #require(IPv4Network(cidr: "10.6.0.0/24")), gateway: IPv4Address("10.6.0.1"))],
            endpoints: ["c1": .init(containerName: "web", endpointID: "c1", macAddress: "02:42:0a:06:00:02",
                                    ipv4Address: IPv4Interface("10.6.0.2/24"), ipv6Address: IPv6Interface("fd00:6::2/64"))],
            ipv6Configurations: [.init(subnet: try #require(IPv6Network(cidr: "fd00:6::/64")), gateway: IPv6Address("fd00:6::1"))])
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(DockerNetwork(description))) as? [String: Any])
        #expect(json["EnableIPv6"] as? Bool == true)
        let config = (json["IPAM"] as? [String: Any])?["Config"] as? [[String: String]]
        #expect(config == [["Subnet": "10.6.0.0/24", "Gateway": "10.6.0.1"], ["Subnet": "fd00:6::/64", "Gateway": "fd00:6::1"]])
        let member = (json["Containers"] as? [String: [String: String]])?["c1"]
        #expect(member?["IPv6Address"] == "fd00:6::2/64")
        #expect(member?["IPv4Address"] == "10.6.0.2/24")
    }

    @Test("run --ip6 and network connect --ip6 reach the port layer; a bad one is a 400 naming it")
    func endpointAddresses() throws {
        let body = try JSONDecoder().decode(DockerContainerCreate.self, from: Data(#"""
            {"Image":"busybox","HostConfig":{"NetworkMode":"six"},
             "NetworkingConfig":{"EndpointsConfig":{"six":{"IPAMConfig":{"IPv4Address":"10.6.0.9","IPv6Address":"fd00:6::9"}}}}}
            """#.utf8))
        let attachments = try ContainerRequestMapping.networks(body)
        #expect(attachments.first?.ipv6Address?.description == "fd00:6::9")
        #expect(attachments.first?.ipv4Address?.description == "10.6.0.9")
        #expect(throws: VICError.self) { try Router.endpointAddresses(nil, "fd00::6::9") }
        do {
            _ = try Router.endpointAddresses(nil, "10.6.0.9")
            Issue.record("an IPv4 address passed as --ip6")
        } catch let error as VICError {
            #expect(error.code == .invalidArgument)
            #expect(error.message == "invalid IPv6 address: 10.6.0.9")
        }
    }

    @Test("An endpoint keeps its IPv6 address and gateway in its record; a record from before IPv6 has none")
    func containerEndpoint() throws {
        var endpoint = Endpoint(
            network: "six", networkID: "66", address: try #require(IPv4Interface("10.6.0.2/24")),
            gateway: IPv4Address("10.6.0.1"), macAddress: "02:42:0a:06:00:02", dnsServers: [])
        endpoint.address6 = IPv6Interface("fd00:6::2/64")
        endpoint.gateway6 = IPv6Address("fd00:6::1")
        let data = try JSONEncoder().encode(endpoint)
        #expect(try JSONDecoder().decode(Endpoint.self, from: data) == endpoint)
        // A record written before IPv6 decodes with none.
        var old = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        old["address6"] = nil
        old["gateway6"] = nil
        let decoded = try JSONDecoder().decode(Endpoint.self, from: try JSONSerialization.data(withJSONObject: old))
        #expect(decoded.address6 == nil && decoded.gateway6 == nil && decoded.address == endpoint.address)
    }
}
