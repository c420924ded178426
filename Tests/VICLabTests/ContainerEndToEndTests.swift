import Foundation
import Testing
import VICCore
import VICSystem

/// Containers on the bridge network through the docker CLI and docker-py, images pulled through
/// a registry mirror in the lab.
@Suite(.serialized, .tags(.privileged, .endToEnd))
struct ContainerEndToEndTests {
    /// A lab with a registry, and a VCH using it as its mirror; returns DOCKER_HOST.
    func withVCH(_ vch: String, _ body: @Sendable (Lab, String) async throws -> Void) async throws {
        try await Lab.with { lab in
            try await lab.startRegistry()
            try await body(lab, try await lab.createVCH(vch).host)
            let delete = try await lab.vicMachine(["delete", "--name", vch])
            #expect(delete.succeeded, "delete: \(delete.combined)")
        }
    }

    @Test func articleScenarioOnTheDefaultBridge() async throws {
        try await withVCH("art") { lab, host in
            let run = try await lab.docker(from: "cpub", vch: "art", [
                "-H", host, "--tls", "run", "--rm", "busybox", "sh", "-c",
                "ip -4 addr show eth0; cat /etc/resolv.conf; netstat -rn; cat /etc/hostname",
            ])
            #expect(run.succeeded, "\(run.combined)")
            #expect(run.standardError.contains("Unable to find image 'busybox:latest' locally"))
            #expect(run.standardOutput.contains("Status: Downloaded newer image for busybox:latest")
                    || run.standardError.contains("Status: Downloaded newer image for busybox:latest"))
            #expect(run.standardOutput.contains("inet 172.16.0.2/16"))
            #expect(run.standardOutput.contains("nameserver 172.16.0.1"))
            #expect(run.standardOutput.contains("0.0.0.0         172.16.0.1      0.0.0.0         UG"))
            #expect(run.standardOutput.contains("172.16.0.0      0.0.0.0         255.255.0.0     U"))
            // --rm removed it, and its address is free again.
            let again = try await lab.docker(from: "cpub", vch: "art", [
                "-H", host, "--tls", "run", "--rm", "busybox", "ip", "-4", "addr", "show", "eth0",
            ])
            #expect(again.standardOutput.contains("inet 172.16.0.2/16"), "\(again.combined)")
            let left = try await lab.docker(from: "cpub", vch: "art", ["-H", host, "--tls", "ps", "-aq"])
            #expect(left.standardOutput.trimmingWhitespace().isEmpty)
        }
    }

    @Test func lifecycleExitCodesStdinAndLogs() async throws {
        try await withVCH("life") { lab, host in
            func docker(_ arguments: [String]) async throws -> CommandResult {
                try await lab.docker(from: "cpub", vch: "life", ["-H", host, "--tls"] + arguments)
            }
            let pull = try await docker(["pull", "busybox"])
            #expect(pull.succeeded, "\(pull.combined)")
            let exit = try await docker(["run", "--name", "three", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3"])
            #expect(exit.status == 3, "\(exit.combined)")
            #expect(exit.standardOutput == "out\n")
            #expect(exit.standardError.contains("err"))
            let logs = try await docker(["logs", "three"])
            #expect(logs.standardOutput == "out\n" && logs.standardError == "err\n", "\(logs.combined)")
            let before = try await docker(["logs", "--until", "2000-01-01T00:00:00Z", "three"])
            #expect(before.succeeded && before.standardOutput.isEmpty && before.standardError.isEmpty, "\(before.combined)")
            let after = try await docker(["logs", "--until", "2099-01-01T00:00:00Z", "three"])
            #expect(after.standardOutput == "out\n", "\(after.combined)")
            let piped = try await lab.run(in: "cpub", ["/bin/sh", "-c",
                "echo hello | DOCKER_CERT_PATH=\(lab.certificateDirectory("life")) DOCKER_CONFIG=/run/vic-lab/\(lab.name)/docker-config docker -H \(host) --tls run -i --rm busybox cat"])
            #expect(piped.standardOutput == "hello\n", "\(piped.combined)")

            let detached = try await docker(["run", "-d", "--name", "sleeper", "busybox", "sleep", "1000"])
            #expect(detached.succeeded, "\(detached.combined)")
            let ps = try await docker(["ps", "--format", "{{.Names}} {{.Status}}"])
            #expect(ps.standardOutput.hasPrefix("sleeper Up"), "\(ps.combined)")
            let second = try await docker(["inspect", "--format", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}}", "sleeper"])
            // "three" (stopped) keeps 172.16.0.2 until it is removed.
            #expect(second.standardOutput.trimmingWhitespace() == "172.16.0.3 172.16.0.1", "\(second.combined)")
            let conflict = try await docker(["run", "-d", "--name", "sleeper", "busybox", "true"])
            #expect(conflict.status != 0 && conflict.standardError.contains("is already in use"), "\(conflict.combined)")
            let stop = try await docker(["stop", "-t", "1", "sleeper"])
            #expect(stop.succeeded, "\(stop.combined)")
            let all = try await docker(["ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}"])
            #expect(Set(all.standardOutput.split(separator: "\n")) == ["sleeper", "three"], "\(all.combined)")
            // A command that does not exist: the runtime's words reach the CLI, which exits 127
            // as with Docker; the container is left behind as with Docker and starts nothing.
            let missingCommand = try await docker(["run", "--name", "nocmd", "busybox", "/no/such/command"])
            #expect(missingCommand.status == 127, "\(missingCommand.combined)")
            #expect(missingCommand.standardError.contains("/no/such/command"), "\(missingCommand.combined)")
            let again = try await docker(["start", "nocmd"])
            #expect(!again.succeeded && again.standardError.contains("/no/such/command"), "\(again.combined)")
            let rm = try await docker(["rm", "sleeper", "three", "nocmd"])
            #expect(rm.succeeded, "\(rm.combined)")
            let missing = try await docker(["container", "inspect", "sleeper"])
            #expect(missing.standardError.contains("No such"), "\(missing.combined)")
        }
    }

    /// `--memory` and `--cpus` reach the container's cgroups (v1 controllers on this hybrid
    /// machine kind, v2 elsewhere); below Docker's minimum is refused with its message.
    @Test func memoryAndCPULimits() async throws {
        try await withVCH("lim") { lab, host in
            func docker(_ arguments: [String]) async throws -> CommandResult {
                try await lab.docker(from: "cpub", vch: "lim", ["-H", host, "--tls"] + arguments)
            }
            let run = try await docker(["run", "-d", "--name", "capped", "--memory", "64m", "--cpus", "0.5", "--pids-limit", "20",
                                        "--cpu-shares", "512", "--cpuset-cpus", "0", "--memory-reservation", "32m", "--memory-swap", "96m",
                                        "busybox", "sleep", "300"])
            try #require(run.succeeded, "\(run.combined)")
            let pid = try await docker(["inspect", "-f", "{{.State.Pid}}", "capped"]).standardOutput.trimmingWhitespace()
            let cgroups = FileSystem.readKernelFile("/proc/\(pid)/cgroup") ?? ""
            func path(_ controller: String) -> String? {
                // "ID:CONTROLLERS:PATH"; cgroup v2's line has no controllers ("0::/path").
                let fields = cgroups.split(separator: "\n").map { $0.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false) }
                return fields.first { $0.count == 3 && $0[1] == controller }.map { String($0[2]) }
            }
            if let memory = path("memory"), let cpu = path("cpu") {
                #expect(FileSystem.readKernelFile("/sys/fs/cgroup/memory\(memory)/memory.limit_in_bytes")?.trimmingWhitespace() == "67108864")
                #expect(FileSystem.readKernelFile("/sys/fs/cgroup/cpu\(cpu)/cpu.cfs_quota_us")?.trimmingWhitespace() == "50000")
            } else {
                let unified = try #require(path(""), "no cgroup for pid \(pid): \(cgroups)")
                #expect(FileSystem.readKernelFile("/sys/fs/cgroup\(unified)/memory.max")?.trimmingWhitespace() == "67108864")
                #expect(FileSystem.readKernelFile("/sys/fs/cgroup\(unified)/cpu.max")?.hasPrefix("50000 ") == true)
            }
            #expect(cgroupValue(pid, "pids", v1: "pids.max", v2: "pids.max") == "20")
            #expect(cgroupValue(pid, "cpuset", v1: "cpuset.cpus", v2: "cpuset.cpus") == "0")
            #expect(cgroupValue(pid, "memory", v1: "memory.soft_limit_in_bytes", v2: "memory.low") == "33554432")
            // Memory plus swap; cgroup v2 keeps the swap alone (96m - 64m).
            let swap = cgroupValue(pid, "memory", v1: "memory.memsw.limit_in_bytes", v2: "memory.swap.max")
            let memoryV1 = FileSystem.readKernelFile("/proc/\(pid)/cgroup")?.contains(":memory:") == true
            #expect(swap == (memoryV1 ? "100663296" : "33554432"), "swap: \(swap ?? "-")")
            // cgroup v2 has a weight, converted from the shares by the runtime: not its default then.
            let shares = cgroupValue(pid, "cpu", v1: "cpu.shares", v2: "cpu.weight")
            let isV1 = FileSystem.readKernelFile("/proc/\(pid)/cgroup")?.contains(":cpu,") == true
                || FileSystem.readKernelFile("/proc/\(pid)/cgroup")?.contains(":cpu:") == true
            #expect(isV1 ? shares == "512" : (shares != nil && shares != "100"), "cpu shares: \(shares ?? "-")")
            let stats = try await docker(["stats", "--no-stream", "--format", "{{.MemUsage}}", "capped"])
            #expect(stats.standardOutput.contains("/ 64MiB"), "\(stats.combined)")
            let tiny = try await docker(["run", "--rm", "--memory", "1m", "busybox", "true"])
            #expect(tiny.standardError.contains("Minimum memory limit allowed is 6MB"), "\(tiny.combined)")
            _ = try await docker(["rm", "-f", "capped"])
        }
    }
}
