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
