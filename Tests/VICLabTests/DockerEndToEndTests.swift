import Foundation
import Testing
import VICCore
import VICSystem

/// The first JSON array of string-valued objects in `text` (docker's `{{json …}}` output).
func jsonObjects(_ text: String) -> [[String: String]]? {
    guard let line = text.split(separator: " ").first,
          let value = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [[String: Any]] else { return nil }
    return value.map { $0.compactMapValues { $0 as? String } }
}

/// The docker CLI, from client namespaces in the lab, against real VCHs.
@Suite(.serialized, .tags(.privileged, .endToEnd))
struct DockerEndToEndTests {
    /// Creates a VCH and returns the `IP:port` its output printed as DOCKER_HOST.
    func create(_ lab: Lab, _ vch: String, _ flags: [String] = []) async throws -> String {
        let create = try await lab.vicMachine(
            ["create", "--name", vch, "--tls-cert-path", lab.certificateDirectory(vch)] + flags)
        try #require(create.succeeded, "create: \(create.combined)")
        let line = create.standardOutput.split(separator: "\n").first { $0.contains("DOCKER_HOST=") }
        let host = try #require(line.flatMap { $0.split(separator: "=").last.map(String.init) })
        #expect(create.standardOutput.contains("docker -H \(host) --tls info") || flags.contains("--no-tls")
                || flags.contains("--tls-ca"))
        return host
    }

    func delete(_ lab: Lab, _ vch: String) async throws {
        let delete = try await lab.vicMachine(["delete", "--name", vch])
        #expect(delete.succeeded, "delete: \(delete.combined)")
    }

    @Test func tlsInfoAndNetworks() async throws {
        try await Lab.with { lab in
            let host = try await create(lab, "e2e", [
                "--bridge-network", "Bridge-DPG", "--container-network", "con-nw:con-nw",
                "--container-network-gateway", "con-nw:192.168.100.1/16",
                "--container-network-dns", "con-nw:192.168.100.1",
                "--container-network-ip-range", "con-nw:192.168.100.2-100",
            ])
            let info = try await lab.docker(from: "cpub", vch: "e2e", ["-H", host, "--tls", "info"])
            #expect(info.succeeded, "docker info: \(info.combined)")
            #expect(info.standardOutput.contains("Name: e2e"))
            #expect(info.standardOutput.contains("Operating System: vic"))
            #expect(info.standardOutput.contains("Kernel Version: "))
            #expect(!info.standardError.contains("rror"))

            let networks = try await lab.docker(from: "cpub", vch: "e2e", ["-H", host, "--tls", "network", "ls", "--format", "{{.Name}} {{.Driver}}"])
            #expect(networks.succeeded, "network ls: \(networks.combined)")
            #expect(networks.standardOutput.split(separator: "\n").sorted() == ["bridge bridge", "con-nw external"])

            let inspect = try await lab.docker(from: "cpub", vch: "e2e", ["-H", host, "--tls", "network", "inspect", "bridge",
                                                               "--format", "{{json .IPAM.Config}} {{.Id}}"])
            #expect(jsonObjects(inspect.standardOutput) == [["Subnet": "172.16.0.0/16", "Gateway": "172.16.0.1"]],
                    "\(inspect.combined)")
            let conNw = try await lab.docker(from: "cpub", vch: "e2e", ["-H", host, "--tls", "network", "inspect", "con-nw",
                                                             "--format", "{{json .IPAM.Config}}"])
            #expect(jsonObjects(conNw.standardOutput) == [[
                "Subnet": "192.168.0.0/16", "Gateway": "192.168.100.1", "IPRange": "192.168.100.2-192.168.100.100",
            ]], "\(conNw.combined)")

            let missing = try await lab.docker(from: "cpub", vch: "e2e", ["-H", host, "--tls", "network", "inspect", "nope"])
            #expect(!missing.succeeded)
            #expect(missing.standardError.contains("network nope not found"))
            try await delete(lab, "e2e")
        }
    }

    @Test func tlsVerifyWithGeneratedCertificates() async throws {
        try await Lab.with { lab in
            let host = try await create(lab, "verify")
            let version = try await lab.docker(from: "cpub", vch: "verify", ["-H", host, "--tlsverify", "version", "--format", "{{.Server.APIVersion}}"],
                                              environment: [:])
            #expect(version.succeeded, "\(version.combined)")
            #expect(version.standardOutput.trimmingWhitespace() == "1.45")
            try await delete(lab, "verify")
        }
    }

    @Test func tlsCARequiresClientCertificates() async throws {
        try await Lab.with { lab in
            _ = try await create(lab, "issuer")
            let issuer = lab.certificateDirectory("issuer")
            let host = try await create(lab, "strict", ["--tls-ca", "\(issuer)/ca.pem"])
            let strict = lab.certificateDirectory("strict")
            let withCert = try await lab.docker(from: "cpub", vch: "strict", [
                "-H", host, "--tlsverify", "--tlscacert", "\(strict)/ca.pem",
                "--tlscert", "\(issuer)/cert.pem", "--tlskey", "\(issuer)/key.pem", "info", "--format", "{{.Name}}",
            ])
            #expect(withCert.succeeded, "\(withCert.combined)")
            #expect(withCert.standardOutput.trimmingWhitespace() == "strict")
            // A client with no certificate at all: only ca.pem in its DOCKER_CERT_PATH.
            let caOnly = "/run/vic-lab/\(lab.name)/ca-only"
            try FileManager.default.createDirectory(atPath: caOnly, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(strict)/ca.pem", toPath: "\(caOnly)/ca.pem")
            let without = try await lab.docker(from: "cpub", vch: "strict", ["-H", host, "--tls", "info"],
                                               environment: ["DOCKER_CERT_PATH": caOnly])
            #expect(!without.succeeded, "a client without a certificate got in: \(without.combined)")
            try await delete(lab, "strict")
            try await delete(lab, "issuer")
        }
    }

    @Test func apiOnlyOnTheClientNetwork() async throws {
        try await Lab.with { lab in
            let host = try await create(lab, "split", ["--client-network", "VMNW51", "--public-network", "VM Network"])
            #expect(host.hasPrefix("10.99.51."))
            let fromClient = try await lab.docker(from: "c51", vch: "split", ["-H", host, "--tls", "version"])
            #expect(fromClient.succeeded, "\(fromClient.combined)")
            let facts = try await ApplianceFacts.read(lab, vch: "split")
            let publicIP = try #require(facts.addresses["public"]?.first?.address)
            let fromPublic = try await lab.docker(from: "cpub", vch: "split", ["-H", "\(publicIP):2376", "--tls", "version"])
            #expect(!fromPublic.succeeded, "the API answered on the public network")
            try await delete(lab, "split")
        }
    }

    @Test func noTLSServesPlainHTTPOn2375() async throws {
        try await Lab.with { lab in
            let host = try await create(lab, "plain", ["--no-tls"])
            #expect(host.hasSuffix(":2375"))
            let info = try await lab.docker(from: "cpub", vch: "plain", ["-H", host, "info", "--format", "{{.Name}}"])
            #expect(info.standardOutput.trimmingWhitespace() == "plain", "\(info.combined)")
            try await delete(lab, "plain")
        }
    }

    @Test func embeddedDefaultWorksFromTheHost() async throws {
        try await Lab.with(noVMNetwork: true) { lab in
            let host = try await create(lab, "demo")
            let info = try await lab.docker(from: nil, vch: "demo", ["-H", host, "--tls", "info", "--format", "{{.Name}}"])
            #expect(info.standardOutput.trimmingWhitespace() == "demo", "\(info.combined)")
            try await delete(lab, "demo")
        }
    }
}
