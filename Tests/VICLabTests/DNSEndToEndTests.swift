import Foundation
import Testing
import VICCore
import VICSystem

/// The embedded DNS server (issue 4) through the docker CLI: containers resolve each other by
/// name, short ID and link alias at their bridge gateway.
@Suite(.serialized, .tags(.privileged, .endToEnd))
struct DNSEndToEndTests {
    @Test func containersResolveEachOtherOnTheDefaultBridge() async throws {
        try await ContainerEndToEndTests().withVCH("dns") { lab, host in
            func docker(_ arguments: [String]) async throws -> CommandResult {
                try await lab.docker(from: "cpub", vch: "dns", ["-H", host, "--tls"] + arguments)
            }
            let alpha = try await docker(["run", "-d", "--name", "alpha", "busybox", "sleep", "600"])
            try #require(alpha.succeeded, "\(alpha.combined)")
            let id = alpha.standardOutput.trimmingWhitespace()
            let address = try await docker(["inspect", "-f", "{{.NetworkSettings.IPAddress}}", "alpha"])
            let alphaIP = address.standardOutput.trimmingWhitespace()
            #expect(alphaIP == "172.16.0.2", "\(address.combined)")

            let byName = try await docker(["run", "--rm", "busybox", "nslookup", "alpha"])
            #expect(byName.standardOutput.contains("Address: \(alphaIP)"), "\(byName.combined)")
            let byID = try await docker(["run", "--rm", "busybox", "nslookup", String(id.prefix(12))])
            #expect(byID.standardOutput.contains("Address: \(alphaIP)"), "\(byID.combined)")
            let byNetwork = try await docker(["run", "--rm", "busybox", "nslookup", "alpha.bridge"])
            #expect(byNetwork.standardOutput.contains("Address: \(alphaIP)"), "\(byNetwork.combined)")

            // A link alias answers for the container that declared it only.
            let linked = try await docker(["run", "--rm", "--link", "alpha:db", "busybox", "nslookup", "db"])
            #expect(linked.standardOutput.contains("Address: \(alphaIP)"), "\(linked.combined)")
            let unlinked = try await docker(["run", "--rm", "busybox", "nslookup", "db"])
            #expect(!unlinked.standardOutput.contains("Address: \(alphaIP)"), "\(unlinked.combined)")

            // A known name has no AAAA record: NODATA, not NXDOMAIN.
            let aaaa = try await docker(["run", "--rm", "busybox", "nslookup", "-type=AAAA", "alpha"])
            #expect(!aaaa.combined.contains("NXDOMAIN"), "\(aaaa.combined)")

            // A stopped container's name no longer resolves.
            let stop = try await docker(["stop", "-t", "1", "alpha"])
            #expect(stop.succeeded, "\(stop.combined)")
            let gone = try await docker(["run", "--rm", "busybox", "nslookup", "alpha"])
            #expect(!gone.standardOutput.contains("Address: \(alphaIP)"), "\(gone.combined)")
            let remove = try await docker(["rm", "-f", "alpha"])
            #expect(remove.succeeded, "\(remove.combined)")
        }
    }
}

/// Names across user networks, and networks that survive vchd being killed.
@Suite(.serialized, .tags(.privileged, .endToEnd))
struct NetworkScopingEndToEndTests {
    @Test func namesResolveOnlyAcrossASharedNetworkAndSurviveARestart() async throws {
        try await Lab.with { lab in
            try await lab.startRegistry()
            let docker = try await lab.createVCH("scope")
            func ok(_ arguments: [String]) async throws -> String {
                let result = try await docker(arguments)
                try #require(result.succeeded, "docker \(arguments.joined(separator: " ")): \(result.combined)")
                return result.standardOutput.trimmingWhitespace()
            }
            _ = try await ok(["pull", "busybox"])
            _ = try await ok(["network", "create", "front"])
            _ = try await ok(["network", "create", "back"])
            _ = try await ok(["run", "-d", "--name", "api", "--net", "back", "--network-alias", "svc", "busybox", "sleep", "600"])
            _ = try await ok(["run", "-d", "--name", "api2", "--net", "back", "--network-alias", "svc", "busybox", "sleep", "600"])
            _ = try await ok(["run", "-d", "--name", "web", "--net", "front", "busybox", "sleep", "600"])
            let api = try await docker.inspect("api", "{{.NetworkSettings.Networks.back.IPAddress}}")
            let api2 = try await docker.inspect("api2", "{{.NetworkSettings.Networks.back.IPAddress}}")

            // Same network: by name, by name.network, and an alias held by two answers both.
            let same = try await ok(["run", "--rm", "--net", "back", "busybox", "sh", "-c",
                                     "nslookup api; nslookup api.back; nslookup svc"])
            #expect(same.contains("Address: \(api)"), "\(same)")
            #expect(same.contains("Address: \(api2)"), "the alias did not answer with both holders: \(same)")
            // Another network: not resolvable.
            let other = try await docker(["run", "--rm", "--net", "front", "busybox", "nslookup", "api"])
            #expect(!other.standardOutput.contains("Address: \(api)"), "\(other.combined)")
            // Connected to both: resolvable, with the address on the shared network.
            _ = try await ok(["network", "connect", "back", "web"])
            let connected = try await docker(["exec", "web", "nslookup", "api"])
            #expect(connected.standardOutput.contains("Address: \(api)"), "\(connected.combined)")

            // vchd killed and started again: networks, memberships and names are all back.
            let before = try await ok(["network", "ls", "--filter", "type=custom", "--format", "{{.ID}} {{.Name}}"])
            kill(try lab.vchdPID("scope"), SIGKILL)
            let start = try await lab.vicMachine(["start", "--name", "scope"])
            try #require(start.succeeded, "start: \(start.combined)")
            let after = try await ok(["network", "ls", "--filter", "type=custom", "--format", "{{.ID}} {{.Name}}"])
            #expect(after == before)
            let members = try await ok(["network", "inspect", "back", "--format", "{{len .Containers}}"])
            #expect(members == "3", "members of back after the restart: \(members)")
            let again = try await docker(["exec", "web", "nslookup", "api"])
            #expect(again.standardOutput.contains("Address: \(api)"), "\(again.combined)")
            let ping = try await docker(["exec", "web", "ping", "-c", "1", "-W", "2", api])
            #expect(ping.succeeded, "\(ping.combined)")

            _ = try await ok(["rm", "-f", "api", "api2", "web"])
            _ = try await ok(["network", "rm", "front", "back"])
            let delete = try await lab.vicMachine(["delete", "--name", "scope"])
            #expect(delete.succeeded, "delete: \(delete.combined)")
        }
    }
}
