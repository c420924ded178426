import Foundation
import Testing
import VICCore
import VICSystem

/// The Python docker SDK (docker-py), the second real client, against a VCH over TLS from a lab
/// client namespace: Tests/VICLabTests/Python/docker_py_e2e.py drives the flows and prints one
/// line per step.
@Suite(.serialized, .tags(.privileged, .endToEnd))
struct DockerPyEndToEndTests {
    static var script: String { "\(Lab.packageRoot)/Tests/VICLabTests/Python/docker_py_e2e.py" }

    @Test func dockerPyOverTLS() async throws {
        let sdk = try await Command.run("/usr/bin/env", ["python3", "-c", "import docker; print(docker.__version__)"])
        try #require(sdk.succeeded, "the docker SDK for python3 is missing (scripts/deps.sh installs it): \(sdk.combined)")
        try await Lab.with { lab in
            try await lab.startRegistry()
            let docker = try await lab.createVCH("py", ["--volume-store", "/run/vic-lab/\(lab.name)/volumes:default"])
            // REQUESTS_CA_BUNDLE set on purpose: it used to replace the VCH's CA (see the script).
            let run = try await lab.run(in: "cpub", ["/usr/bin/env", "python3", Self.script, docker.host, lab.certificateDirectory("py")],
                                        environment: ["REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt",
                                                      "PYTHONUNBUFFERED": "1"])
            #expect(run.succeeded, "\(run.combined)")
            let lines = run.standardOutput.split(separator: "\n").map(String.init)
            let steps = lines.filter { $0.hasPrefix("ok ") }.compactMap { $0.split(separator: " ").dropFirst().first.map(String.init) }
            #expect(steps == ["tls-verify", "tls-insecure", "pull", "run-output", "run-error", "run-detached", "inspect-ip",
                              "list", "logs", "wait", "stop", "remove", "network-create", "network-connect",
                              "network-disconnect", "network-remove", "network-ipv6", "volumes", "detach-keys", "archive", "diff", "pause", "commit"],
                    "\(run.combined)")
            #expect(lines.contains("ok tls-verify 1.45"))
            #expect(lines.contains { $0.hasPrefix("ok inspect-ip 172.16.0.") }, "\(run.combined)")
            #expect(lines.contains("ok wait 7") && lines.contains("ok stop 137"), "\(run.combined)")
            #expect(lines.last == "docker-py end to end: all steps passed")
            #expect(!run.standardError.contains("Traceback"), "\(run.standardError)")
            // What docker-py did is what the CLI sees.
            let left = try await docker(["ps", "-aq"])
            #expect(left.succeeded && left.standardOutput.trimmingWhitespace().isEmpty, "\(left.combined)")
            let delete = try await lab.vicMachine(["delete", "--name", "py"])
            #expect(delete.succeeded, "delete: \(delete.combined)")
        }
    }
}
