import Foundation
import Logging
import NIOHTTP1
import Testing
import VICCore

@testable import VICEngineAPI

/// The router in memory, over a fake backend: system routes here, networks and routing in
/// the `RouterTests+…` files.
@Suite("Router")
struct RouterTests {
    static let build = EngineBuild(version: "0.1.0-test", gitCommit: "abc1234", buildTime: "2025-01-02T03:04:05Z")
    /// 2025-06-01T12:00:00Z
    static let now = Date(timeIntervalSince1970: 1_748_779_200)

    static func router(_ backend: FakeBackend) -> Router {
        Router(backend: backend, build: build, logger: Logger(label: "test"), now: { now })
    }

    static func sampleRouter() throws -> Router {
        router(try FakeBackend.sample())
    }

    @Test("GET /_ping answers OK with the negotiation headers")
    func pingGet() async throws {
        let response = try await Self.sampleRouter().send(.GET, "/_ping")
        #expect(response.status == .ok)
        #expect(response.bodyText == "OK")
        let headers = response.headers
        #expect(headers["Api-Version"] == ["1.45"])
        #expect(headers["Ostype"] == ["linux"])
        #expect(headers["Docker-Experimental"] == ["false"])
        #expect(headers["Cache-Control"] == ["no-cache, no-store, must-revalidate"])
        #expect(headers["Pragma"] == ["no-cache"])
        #expect(headers["Content-Type"] == ["text/plain; charset=utf-8"])
        #expect(headers["Server"] == ["vic/0.1.0-test"])
    }

    @Test("HEAD /_ping has the headers and no body")
    func pingHead() async throws {
        let response = try await Self.sampleRouter().send(.HEAD, "/_ping")
        #expect(response.status == .ok)
        #expect(response.body.isEmpty)
        #expect(response.headers["Api-Version"] == ["1.45"])
        #expect(response.headers["Content-Type"] == ["text/plain; charset=utf-8"])
    }

    @Test(
        "A /vX.Y prefix in range is stripped",
        arguments: ["/v1.45/_ping", "/v1.24/_ping", "/v1.41/_ping", "/v1.45.0/_ping"])
    func versionPrefix(_ uri: String) async throws {
        let response = try await Self.sampleRouter().send(.GET, uri)
        #expect(response.status == .ok)
        #expect(response.bodyText == "OK")
    }

    @Test(
        "A version out of range is a 400 naming the limits",
        arguments: [
            ("/v1.46/info", "client version 1.46 is too new. Maximum supported API version is 1.45"),
            (
                "/v1.12/info",
                "client version 1.12 is too old. Minimum supported API version is 1.24, "
                    + "please upgrade your client to a newer version"
            ),
        ])
    func versionOutOfRange(_ uri: String, _ message: String) async throws {
        let response = try await Self.sampleRouter().send(.GET, uri)
        #expect(response.status == .badRequest)
        #expect(try response.errorMessage() == message)
    }

    @Test("GET /version reports vic, API 1.45 and the host facts")
    func version() async throws {
        let response = try await Self.sampleRouter().send(.GET, "/v1.45/version")
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == ["application/json"])
        let json = try response.jsonObject()
        #expect((json["Platform"] as? [String: Any])?["Name"] as? String == "vic")
        #expect(json["Version"] as? String == "0.1.0-test")
        #expect(json["ApiVersion"] as? String == "1.45")
        #expect(json["MinAPIVersion"] as? String == "1.24")
        #expect(json["GitCommit"] as? String == "abc1234")
        #expect(json["GoVersion"] as? String == "swift6")
        #expect(json["Os"] as? String == "linux")
        #expect(json["Arch"] as? String == "amd64")
        #expect(json["KernelVersion"] as? String == "6.1.0-test")
        #expect(json["BuildTime"] as? String == "2025-01-02T03:04:05Z")
        let components = try #require(json["Components"] as? [[String: Any]])
        #expect(components.count == 1)
        #expect(components.first?["Name"] as? String == "Engine")
        let details = try #require(components.first?["Details"] as? [String: String])
        #expect(details["ApiVersion"] == "1.45")
        #expect(details["MinAPIVersion"] == "1.24")
        #expect(details["Arch"] == "amd64")
    }

    @Test("GET /info has Docker's SystemInfo shape, filled from the backend")
    func info() async throws {
        let response = try await Self.sampleRouter().send(.GET, "/info")
        #expect(response.status == .ok)
        let json = try response.jsonObject()
        #expect(json["Name"] as? String == "vch-test")
        #expect(json["ID"] as? String == "VCH1:TEST")
        #expect(json["OperatingSystem"] as? String == "vic")
        #expect(json["OSType"] as? String == "linux")
        #expect(json["Architecture"] as? String == "x86_64")
        #expect(json["KernelVersion"] as? String == "6.1.0-test")
        #expect(json["ServerVersion"] as? String == "0.1.0-test")
        #expect(json["NCPU"] as? Int == 2)
        #expect(json["MemTotal"] as? Int == 4_294_967_296)
        #expect(json["Containers"] as? Int == 3)
        #expect(json["ContainersRunning"] as? Int == 1)
        #expect(json["ContainersPaused"] as? Int == 0)
        #expect(json["ContainersStopped"] as? Int == 2)
        #expect(json["Images"] as? Int == 3)
        #expect(json["Driver"] as? String == "overlayfs")
        #expect(json["DriverStatus"] as? [[String]] == [["Backing Filesystem", "extfs"]])
        #expect(json["LoggingDriver"] as? String == "json-file")
        #expect(json["DefaultRuntime"] as? String == "crun")
        #expect((json["Runtimes"] as? [String: [String: String]])?["crun"]?["path"] == "/usr/bin/crun")
        #expect(json["DockerRootDir"] as? String == "/var/lib/vic/vch-test")
        #expect(json["Labels"] as? [String] == ["team=net"])
        #expect(json["Warnings"] as? [String] == [])
        #expect(json["SystemTime"] as? String == "2025-06-01T12:00:00Z")
        #expect(json["CgroupVersion"] as? String == "2")
        #expect(json["ExperimentalBuild"] as? Bool == false)
        #expect(json["LiveRestoreEnabled"] as? Bool == true)
    }

    @Test("GET /info reports inactive swarm and null-able plugin lists as Docker does")
    func infoSwarmAndPlugins() async throws {
        let json = try await Self.sampleRouter().send(.GET, "/info").jsonObject()
        let swarm = try #require(json["Swarm"] as? [String: Any])
        #expect(swarm["LocalNodeState"] as? String == "inactive")
        #expect(swarm["NodeID"] as? String == "")
        #expect(swarm["NodeAddr"] as? String == "")
        #expect(swarm["ControlAvailable"] as? Bool == false)
        #expect(swarm["Error"] as? String == "")
        #expect(swarm["RemoteManagers"] is NSNull)
        let plugins = try #require(json["Plugins"] as? [String: Any])
        #expect(plugins["Volume"] as? [String] == ["local"])
        #expect(plugins["Network"] as? [String] == ["bridge", "external"])
        #expect(plugins["Authorization"] is NSNull)
        #expect(plugins["Log"] as? [String] == ["json-file"])
    }

    @Test("GET /info keeps the capability flags true so docker info prints no warnings")
    func infoCapabilities() async throws {
        let json = try await Self.sampleRouter().send(.GET, "/info").jsonObject()
        for key in [
            "MemoryLimit", "SwapLimit", "CpuCfsPeriod", "CpuCfsQuota", "CPUShares", "CPUSet", "PidsLimit",
            "IPv4Forwarding", "BridgeNfIptables", "BridgeNfIp6tables",
        ] {
            #expect(json[key] as? Bool == true, "\(key)")
        }
    }

    @Test("GET /info splits insecure registries into CIDRs and index entries")
    func infoRegistry() async throws {
        let json = try await Self.sampleRouter().send(.GET, "/info").jsonObject()
        #expect(json["IndexServerAddress"] as? String == "https://index.docker.io/v1/")
        let registry = try #require(json["RegistryConfig"] as? [String: Any])
        #expect(registry["InsecureRegistryCIDRs"] as? [String] == ["10.0.0.0/8"])
        #expect(registry["Mirrors"] as? [String] == ["https://mirror.example"])
        let indexes = try #require(registry["IndexConfigs"] as? [String: [String: Any]])
        #expect(indexes["docker.io"]?["Secure"] as? Bool == true)
        #expect(indexes["docker.io"]?["Mirrors"] as? [String] == ["https://mirror.example"])
        #expect(indexes["reg.lab:5000"]?["Secure"] as? Bool == false)
    }

    @Test("A backend failure in /info becomes the mapped status with Docker's error shape")
    func infoFailure() async throws {
        let backend = FakeBackend(failure: VICError(.unavailable, "port layer not ready"))
        let response = await Self.router(backend).send(.GET, "/info")
        #expect(response.status == .serviceUnavailable)
        #expect(try response.errorMessage() == "port layer not ready")
    }
}
