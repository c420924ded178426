import Foundation
import NIOHTTP1
import Testing
import VICCore

@testable import VICEngineAPI

extension RouterTests {
    @Test("GET /networks lists every network in VIC's inspect shape")
    func listNetworksShape() async throws {
        let response = try await Self.sampleRouter().send(.GET, "/networks")
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == ["application/json"])
        let networks = try response.jsonArray()
        #expect(networks.map { $0["Name"] as? String } == ["bridge", "web", "vm-net"])
        let bridge = try #require(networks.first)
        #expect(bridge["Id"] as? String == FakeBackend.bridgeID)
        #expect(bridge["Created"] as? String == "2024-05-06T07:08:09.25Z")
        #expect(bridge["Scope"] as? String == "")
        #expect(bridge["Driver"] as? String == "bridge")
        #expect(bridge["EnableIPv6"] as? Bool == false)
        #expect(bridge["Internal"] as? Bool == false)
        #expect(bridge["Attachable"] as? Bool == false)
        #expect(bridge["Ingress"] as? Bool == false)
        #expect(bridge["ConfigOnly"] as? Bool == false)
        #expect(bridge["ConfigFrom"] as? [String: String] == ["Network": ""])
        #expect(bridge["Options"] as? [String: String] == [:])
        #expect(bridge["Labels"] as? [String: String] == [:])
    }

    @Test("IPAM has an empty driver, null options, and IPRange only when narrower than the subnet")
    func ipamShape() async throws {
        let networks = try await Self.sampleRouter().send(.GET, "/networks").jsonArray()
        let ipams = try networks.map { try #require($0["IPAM"] as? [String: Any]) }
        let bridge = try #require(ipams.first)
        #expect(bridge["Driver"] as? String == "")
        #expect(bridge["Options"] is NSNull)
        let bridgeConfig = try #require(bridge["Config"] as? [[String: String]])
        #expect(bridgeConfig == [["Subnet": "172.16.0.0/16", "Gateway": "172.16.0.1"]])
        let web = try #require(ipams.dropFirst().first?["Config"] as? [[String: String]])
        #expect(web == [["Subnet": "172.17.0.0/16", "Gateway": "172.17.0.1", "IPRange": "172.17.0.10-172.17.0.20"]])
        let external = try #require(ipams.last?["Config"] as? [[String: String]])
        #expect(external.isEmpty)
    }

    @Test("Containers are keyed by container ID with the endpoint's addresses")
    func endpointsShape() async throws {
        let bridge = try #require(try await Self.sampleRouter().send(.GET, "/networks").jsonArray().first)
        let containers = try #require(bridge["Containers"] as? [String: [String: String]])
        #expect(
            containers == [
                FakeBackend.containerID: [
                    "Name": "web1", "EndpointID": FakeBackend.containerID, "MacAddress": "02:42:ac:10:00:02",
                    "IPv4Address": "172.16.0.2/16", "IPv6Address": "",
                ]
            ])
    }

    @Test(
        "GET /networks applies filters in both encodings",
        arguments: [
            (#"{"name":{"web":true}}"#, ["web"]),
            (#"{"name":["we"]}"#, ["web"]),
            (#"{"name":["^vm-"]}"#, ["vm-net"]),
            (#"{"name":{"bridge":true,"web":true}}"#, ["bridge", "web"]),
            (#"{"id":{"c0c0":true}}"#, ["web"]),
            (#"{"id":{"c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0":true}}"#, ["web"]),
            (#"{"id":{"0c0c":true}}"#, []),
            (#"{"driver":{"external":true}}"#, ["vm-net"]),
            (#"{"driver":{"bridge":true}}"#, ["bridge", "web"]),
            (#"{"type":{"builtin":true}}"#, ["bridge", "vm-net"]),
            (#"{"type":{"custom":true}}"#, ["web"]),
            (#"{"type":{"custom":true,"builtin":true}}"#, ["bridge", "web", "vm-net"]),
            (#"{"label":{"tier":true}}"#, ["web"]),
            (#"{"label":{"tier=front":true}}"#, ["web"]),
            (#"{"label":{"tier=back":true}}"#, []),
            (#"{"label":{"tier":true,"env=lab":true}}"#, ["web"]),
            (#"{"label":{"tier":true,"missing":true}}"#, []),
            (#"{"dangling":{"true":true}}"#, ["web"]),
            (#"{"dangling":{"false":true}}"#, ["bridge", "vm-net"]),
            (#"{"scope":{"local":true}}"#, []),
            (#"{"driver":{"bridge":true},"name":{"web":true}}"#, ["web"]),
            ("", ["bridge", "web", "vm-net"]),
            ("{}", ["bridge", "web", "vm-net"]),
        ])
    func listNetworksFiltered(_ filters: String, _ expected: [String]) async throws {
        let encoded = try #require(filters.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let response = try await Self.sampleRouter().send(.GET, "/v1.45/networks?filters=\(encoded)")
        #expect(response.status == .ok, "\(response.bodyText)")
        #expect(try response.jsonArray().map { $0["Name"] as? String } == expected)
    }

    @Test(
        "Bad filters are a 400 with Docker's message",
        arguments: [
            (#"{"color":{"red":true}}"#, "invalid filter 'color'"),
            (#"{"type":{"overlay":true}}"#, "invalid filter 'type=overlay'"),
            (#"{"dangling":{"maybe":true}}"#, "invalid filter 'dangling=maybe'"),
            (#"{"dangling":{"true":true,"false":true}}"#, #"got more than one value for filter key "dangling""#),
            ("not json", "invalid filter"),
            (#"{"name":"web"}"#, "invalid filter"),
        ])
    func badFilter(_ filters: String, _ message: String) async throws {
        let encoded = try #require(filters.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let response = try await Self.sampleRouter().send(.GET, "/networks?filters=\(encoded)")
        #expect(response.status == .badRequest)
        #expect(try response.errorMessage() == message)
    }

    @Test("An unknown filter is a 400 even when the backend is down")
    func badFilterBeforeBackend() async throws {
        let backend = FakeBackend(failure: VICError(.unavailable, "down"))
        let response = await Self.router(backend).send(.GET, #"/networks?filters={"color":["red"]}"#)
        #expect(response.status == .badRequest)
    }

    @Test("GET /networks/{id} looks up by name, ID or prefix through the backend", arguments: ["web", "c0c0c0", FakeBackend.webID])
    func inspectNetwork(_ idOrName: String) async throws {
        let response = try await Self.sampleRouter().send(.GET, "/v1.45/networks/\(idOrName)")
        #expect(response.status == .ok)
        let json = try response.jsonObject()
        #expect(json["Name"] as? String == "web")
        #expect(json["Id"] as? String == FakeBackend.webID)
        #expect(json["Labels"] as? [String: String] == ["tier": "front", "env": "lab"])
    }

    @Test("GET /networks/{id} for an unknown network is the backend's 404")
    func inspectUnknownNetwork() async throws {
        let response = try await Self.sampleRouter().send(.GET, "/networks/nope")
        #expect(response.status == .notFound)
        #expect(try response.errorMessage() == "network nope not found")
    }
}

extension RouterTests {
    static func post(_ router: Router, _ uri: String, _ json: String, method: HTTPMethod = .POST) async -> EngineResponse {
        await router.handle(EngineRequest(method: method, uri: uri, body: Array(json.utf8)))
    }

    @Test("POST /networks/create answers 201 {Id, Warning} and passes the IPAM config on")
    func createNetwork() async throws {
        let backend = try FakeBackend.sample()
        let body = #"{"Name":"lab","Driver":"bridge","Internal":true,"Labels":{"a":"b"},"IPAM":{"Config":[{"Subnet":"10.9.0.0/24","Gateway":"10.9.0.254","IPRange":"10.9.0.128/25"}]}}"#
        let response = await Self.post(Self.router(backend), "/v1.45/networks/create", body)
        #expect(response.status == .created, "\(response.bodyText)")
        let json = try response.jsonObject()
        #expect(json["Id"] as? String == FakeBackend.webID)
        #expect(json["Warning"] as? String == "")
        let calls = await backend.calls.entries
        #expect(calls.count == 1)
        #expect(calls.first?.contains("10.9.0.0/24") == true && calls.first?.contains("10.9.0.128/25") == true)
        #expect(calls.first?.contains("internal: true") == true)
    }

    @Test(
        "POST /networks/create refuses bad shapes",
        arguments: [
            (#"{"Name":"x","IPAM":{"Config":[{"Subnet":"10.0.0.0/24"},{"Subnet":"10.0.1.0/24"}]}}"#, "at most one ipam config supported"),
            (#"{"Name":"x","IPAM":{"Config":[{"Subnet":"fd00::/64"},{"Subnet":"fd01::/64"}]}}"#, "at most one ipam config supported"),
            (#"{"Name":"x","IPAM":{"Config":[{"Subnet":"10.0.0/24"}]}}"#, "invalid subnet 10.0.0/24"),
            (#"{"Name":"x","IPAM":{"Config":[{"Subnet":"fd00::/zz"}]}}"#, "invalid subnet fd00::/zz"),
            (#"{"Name":"x","IPAM":{"Config":[{"Subnet":"10.0.0.1/24"}]}}"#, "host bits set"),
            (#"{"Name":"x","IPAM":{"Config":[{"Subnet":"fd00::1/64"}]}}"#, "did you mean fd00::/64?"),
            (#"{"Name":"x","IPAM":{"Config":[{"Subnet":"fd00::/64","IPRange":"fd00::/80"}]}}"#, "no IPv6 --ip-range"),
            (#"{"Name":"x","IPAM":{"Config":[{"Subnet":"fd00::/64","Gateway":"10.0.0.1"}]}}"#, "invalid gateway 10.0.0.1"),
            (#"{"Name":"x","IPAM":{"Config":[{"Gateway":"10.0.0.1"}]}}"#, "need a subnet"),
            (#"{"Name":"x","IPAM":{"Config":[{"Gateway":"fd00::1"}]}}"#, "an IPv6 gateway needs an IPv6 subnet"),
            (#"{"Driver":"bridge"}"#, "network name is required"),
        ])
    func createNetworkRefused(_ body: String, _ message: String) async throws {
        let response = await Self.post(try Self.sampleRouter(), "/networks/create", body)
        #expect(response.status == .badRequest)
        #expect(try response.errorMessage().contains(message), "\(response.bodyText)")
    }

    @Test("A duplicate name is the backend's 409")
    func createDuplicate() async throws {
        let response = await Self.post(try Self.sampleRouter(), "/networks/create", #"{"Name":"web"}"#)
        #expect(response.status == .conflict)
        #expect(try response.errorMessage() == "network web already exists")
    }

    @Test("DELETE /networks/{id} answers 204; a builtin network is refused")
    func removeNetwork() async throws {
        let router = try Self.sampleRouter()
        #expect(await router.send(.DELETE, "/networks/web").status == .noContent)
        let builtin = await router.send(.DELETE, "/networks/bridge")
        #expect(builtin.status == .badRequest)
        #expect(try builtin.errorMessage().contains("cannot remove builtin scope"))
        #expect(await router.send(.DELETE, "/networks/nope").status == .notFound)
    }

    @Test("POST /networks/prune removes unused custom networks, honouring label filters")
    func pruneNetworks() async throws {
        let router = try Self.sampleRouter()
        let all = try await Self.post(router, "/networks/prune", "").jsonObject()
        #expect(all["NetworksDeleted"] as? [String] == ["web"])
        let filters = try #require(#"{"label":["tier=back"]}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let none = try await Self.post(router, "/networks/prune?filters=\(filters)", "").jsonObject()
        #expect(none["NetworksDeleted"] as? [String] == [])
        let bad = await Self.post(router, "/networks/prune?filters=\(try #require(#"{"until":["soon"]}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)))", "")
        #expect(bad.status == .badRequest)
    }

    @Test("connect and disconnect pass the container and endpoint settings on")
    func connectDisconnect() async throws {
        let backend = try FakeBackend.sample()
        let router = Self.router(backend)
        let connect = await Self.post(router, "/networks/web/connect",
            #"{"Container":"c1","EndpointConfig":{"IPAMConfig":{"IPv4Address":"172.17.0.9"},"Aliases":["db"],"Links":["x:y"]}}"#)
        #expect(connect.status == .ok, "\(connect.bodyText)")
        let disconnect = await Self.post(router, "/networks/web/disconnect", #"{"Container":"c1","Force":true}"#)
        #expect(disconnect.status == .ok)
        #expect(await backend.calls.entries == [#"connect web c1 172.17.0.9 ["db"] ["x:y"]"#, "disconnect web c1 true"])
        let missing = await Self.post(router, "/networks/web/connect", "{}")
        #expect(missing.status == .badRequest)
        let badIP = await Self.post(router, "/networks/web/connect", #"{"Container":"c1","EndpointConfig":{"IPAMConfig":{"IPv4Address":"nope"}}}"#)
        #expect(badIP.status == .badRequest)
    }
}
