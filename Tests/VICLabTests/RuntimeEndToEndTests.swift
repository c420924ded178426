import Foundation
import Testing
import VICCore
import VICSystem

/// The article scenario under each OCI runtime. vchd picks the runtime by the cgroup layout;
/// VIC_RUNTIME in vchd's environment (inherited from vic-machine) overrides the choice.
@Suite(.serialized, .tags(.privileged, .endToEnd))
struct RuntimeEndToEndTests {
    /// What vchd picks by itself: crun on a pure cgroup v2 host, runc on a hybrid one.
    static var automatic: String {
        FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers") ? "crun" : "runc"
    }

    @Test(arguments: [nil, "runc", "crun"] as [String?])
    func articleScenario(runtime: String?) async throws {
        try await Lab.with { lab in
            try await lab.startRegistry()
            let vch = "rt" + (runtime ?? "auto")
            let docker = try await lab.createVCH(vch, environment: runtime.map { ["VIC_RUNTIME": $0] } ?? [:])
            let expected = runtime ?? Self.automatic
            #expect(try await docker(["info", "--format", "{{.DefaultRuntime}}"]).standardOutput.trimmingWhitespace() == expected)

            let run = try await docker([
                "run", "--rm", "busybox", "sh", "-c", "ip -4 addr show eth0; cat /etc/resolv.conf; netstat -rn; cat /etc/hostname",
            ])
            #expect(run.succeeded, "\(expected): \(run.combined)")
            #expect(run.standardError.contains("Unable to find image 'busybox:latest' locally"))
            #expect(run.standardOutput.contains("inet 172.16.0.2/16"), "\(run.combined)")
            #expect(run.standardOutput.contains("nameserver 172.16.0.1"))
            #expect(run.standardOutput.contains("0.0.0.0         172.16.0.1      0.0.0.0         UG"))
            #expect(run.standardOutput.contains("172.16.0.0      0.0.0.0         255.255.0.0     U"))

            let exit = try await docker(["run", "--name", "three", "busybox", "sh", "-c", "echo out; exit 3"])
            #expect(exit.status == 3 && exit.standardOutput == "out\n", "\(expected): \(exit.combined)")
            let detached = try await docker(["run", "-d", "--name", "sleeper", "busybox", "sleep", "1000"])
            #expect(detached.succeeded, "\(detached.combined)")
            // The container's shim runs the chosen runtime (crun on hybrid cgroups through vchd's wrapper).
            let id = try await docker.inspect("sleeper", "{{.Id}}")
            let shims = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init)
                .compactMap(Processes.commandLine(of:)).filter { $0.first?.hasSuffix("/vic-shim") == true && $0.contains(id) }
            let shim = try #require(shims.first, "no vic-shim for \(id)")
            let executable = shim.count > 1 ? shim[1] : ""
            #expect(executable.hasSuffix("/\(expected)") || executable.hasSuffix(".\(expected)"), "shim runs \(executable)")
            let stop = try await docker(["stop", "-t", "1", "sleeper"])
            #expect(stop.succeeded, "\(stop.combined)")
            #expect(try await docker.inspect("sleeper", "{{.State.Status}} {{.State.ExitCode}}") == "exited 137")
            let rm = try await docker(["rm", "three", "sleeper"])
            #expect(rm.succeeded, "\(rm.combined)")
            let delete = try await lab.vicMachine(["delete", "--name", vch])
            #expect(delete.succeeded, "delete: \(delete.combined)")
        }
    }
}
