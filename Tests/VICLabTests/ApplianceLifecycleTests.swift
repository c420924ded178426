import Foundation
import Testing
import VICCore
import VICPlumbing
import VICSystem

extension Tag {
    /// Needs root: creates namespaces, bridges and processes.
    @Tag static var privileged: Self
    /// Drives the real docker CLI against a real VCH.
    @Tag static var endToEnd: Self
}

/// What a VCH made, read back from the system.
struct ApplianceFacts {
    var nicNames: [String]
    var addresses: [String: [IPv4Interface]]
    var configuration: [String: Any]

    static func read(_ lab: Lab, vch: String) async throws -> ApplianceFacts {
        let links = try await IPRoute2().links(in: "vch-\(vch)").filter { $0.name != "lo" }
        let inspect = try await lab.vicMachine(["inspect", "--name", vch, "--json"])
        try #require(inspect.succeeded, "inspect: \(inspect.combined)")
        let json = try JSONSerialization.jsonObject(with: Data(inspect.standardOutput.utf8)) as? [String: Any]
        return ApplianceFacts(
            nicNames: links.map(\.name).sorted(),
            addresses: Dictionary(uniqueKeysWithValues: links.map { ($0.name, $0.addresses) }),
            configuration: json ?? [:])
    }

    func roles(of nic: String) -> [String] {
        let nics = configuration["nics"] as? [[String: Any]] ?? []
        return nics.first { $0["name"] as? String == nic }?["roles"] as? [String] ?? []
    }
}

/// Asserts that nothing of `vch` is left: namespace, host links, processes, state, certificates.
func expectNothingLeft(_ lab: Lab, vch: String, linksBefore: Set<String>) async throws {
    #expect(!FileManager.default.fileExists(atPath: "/run/netns/vch-\(vch)"), "namespace left")
    #expect(!FileManager.default.fileExists(atPath: "/run/netns/vch-\(vch)-host"), "host namespace name left")
    let linksAfter = Set(try await IPRoute2().links(in: lab.name).map(\.name))
    #expect(linksAfter == linksBefore, "links left: \(linksAfter.subtracting(linksBefore))")
    #expect(lab.daemonPIDs(vch).isEmpty, "vchd still running")
    #expect(!FileManager.default.fileExists(atPath: "\(lab.stateRoot)/\(vch)"), "state left")
    #expect(!FileManager.default.fileExists(atPath: "\(lab.runRoot)/\(vch)"), "run directory left")
    #expect(!FileManager.default.fileExists(atPath: lab.certificateDirectory(vch)), "certificates left")
    let mounts = currentMounts()
    #expect(!mounts.contains("vch-\(vch)"), "mounts left")
    #expect(mountPoints(under: "\(lab.stateRoot)/\(vch)").isEmpty, "container mounts left")
}

@Suite(.serialized, .tags(.privileged))
struct ApplianceLifecycleTests {
    /// Creates `vch` with `flags`, runs `check`, deletes it and checks that nothing is left.
    func roundTrip(
        _ lab: Lab, vch: String, _ flags: [String], check: (ApplianceFacts, CommandResult) async throws -> Void
    ) async throws {
        let linksBefore = Set(try await IPRoute2().links(in: lab.name).map(\.name))
        let create = try await lab.vicMachine(
            ["create", "--name", vch, "--tls-cert-path", lab.certificateDirectory(vch)] + flags)
        try #require(create.succeeded, "create: \(create.combined)")
        #expect(create.standardOutput.contains("Installer completed successfully"))
        #expect(lab.daemonPIDs(vch).count == 1)
        try await check(try await ApplianceFacts.read(lab, vch: vch), create)
        let delete = try await lab.vicMachine(["delete", "--name", vch])
        #expect(delete.succeeded, "delete: \(delete.combined)")
        try await expectNothingLeft(lab, vch: vch, linksBefore: linksBefore)
    }

    func dhcpAddress(_ facts: ApplianceFacts, _ nic: String, in prefix: String) -> Bool {
        facts.addresses[nic]?.contains { $0.description.hasPrefix(prefix) && $0.prefixLength == 24 } ?? false
    }

    @Test func noFlags() async throws {
        try await Lab.with { lab in
            try await roundTrip(lab, vch: "plain", []) { facts, create in
                #expect(facts.nicNames == ["bridge", "public"])
                #expect(facts.roles(of: "public") == ["public", "client", "management"])
                #expect(dhcpAddress(facts, "public", in: "10.99.32.1"))
                #expect(facts.addresses["bridge"]?.map(\.description) == ["172.16.0.1/16"])
                #expect(create.standardOutput.contains(#"Network role "client" is sharing NIC with "public""#))
                #expect(create.standardOutput.contains(#"Network role "management" is sharing NIC with "public""#))
                #expect(create.standardOutput.contains("DOCKER_HOST=10.99.32.1"))
            }
        }
    }

    @Test func externalNetwork() async throws {
        try await Lab.with { lab in
            try await roundTrip(lab, vch: "ext", ["--bridge-network", "Bridge-DPG", "--external-network", "VMNW51"]) { facts, _ in
                #expect(facts.nicNames == ["bridge", "public"])
                #expect(dhcpAddress(facts, "public", in: "10.99.51.1"))
            }
        }
    }

    @Test func separateManagement() async throws {
        try await Lab.with { lab in
            try await roundTrip(lab, vch: "mgmt", [
                "--bridge-network", "Bridge-DPG", "--management-network", "Mgmt", "--external-network", "VM Network",
            ]) { facts, create in
                #expect(facts.nicNames == ["bridge", "management", "public"])
                #expect(facts.roles(of: "public") == ["public", "client"])
                #expect(facts.roles(of: "management") == ["management"])
                #expect(dhcpAddress(facts, "management", in: "10.99.60.1"))
                #expect(dhcpAddress(facts, "public", in: "10.99.32.1"))
                #expect(!create.standardOutput.contains(#""management" is sharing"#))
            }
        }
    }

    @Test func staticAddresses() async throws {
        try await Lab.with { lab in
            try await roundTrip(lab, vch: "stat", [
                "--public-network", "Static", "--public-network-ip", "10.99.70.5/24",
                "--public-network-gateway", "10.99.70.1", "--dns-server", "10.99.70.1",
            ]) { facts, _ in
                #expect(facts.addresses["public"]?.map(\.description) == ["10.99.70.5/24"])
                let route = try await Command.check("/usr/sbin/ip", ["-n", "vch-stat", "route", "show", "default"])
                #expect(route.contains("default via 10.99.70.1 dev public"))
                #expect(facts.configuration["dnsServers"] as? [String] == ["10.99.70.1"])
            }
        }
    }

    @Test func failedCreateRollsBackEverything() async throws {
        try await Lab.with { lab in
            let linksBefore = Set(try await IPRoute2().links(in: lab.name).map(\.name))
            let create = try await lab.vicMachine(
                ["create", "--name", "broken", "--tls-cert-path", lab.certificateDirectory("broken")],
                environment: ["VIC_VCHD": "/bin/false"])
            #expect(!create.succeeded)
            #expect(create.standardError.contains("vchd exited during start-up"))
            #expect(create.standardError.contains("vic-machine-linux create failed"))
            try await expectNothingLeft(lab, vch: "broken", linksBefore: linksBefore)
        }
    }

    @Test func invalidCreateChangesNothing() async throws {
        try await Lab.with { lab in
            let linksBefore = Set(try await IPRoute2().links(in: lab.name).map(\.name))
            let create = try await lab.vicMachine(["create", "--name", "bad", "--public-network", "Nope", "--bnw", "40"])
            #expect(create.status == 1)
            #expect(create.standardError.contains("--public-network: Error checking network for --public-network: network 'Nope' not found"))
            #expect(create.standardError.contains("--bridge-network-width: Error parsing bridge network width: 40"))
            try await expectNothingLeft(lab, vch: "bad", linksBefore: linksBefore)
        }
    }

    @Test func listAndInspect() async throws {
        try await Lab.with { lab in
            try await roundTrip(lab, vch: "listed", []) { _, _ in
                let list = try await lab.vicMachine(["ls"])
                #expect(list.standardOutput.contains("listed"))
                #expect(list.standardOutput.contains("running"))
                let inspect = try await lab.vicMachine(["inspect", "--name", "listed"])
                #expect(inspect.standardOutput.contains("NIC public: roles public,client,management"))
                #expect(inspect.standardOutput.contains("docker -H 10.99.32."))
            }
        }
    }
}
