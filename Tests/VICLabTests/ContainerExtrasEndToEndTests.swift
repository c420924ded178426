import Foundation
import Testing
import VICCore
import VICSystem

/// exec, top, stats, events, prune, pause, update, security and resource flags and `inspect` of
/// an unknown name, through the docker CLI against a VCH in a throwaway lab.
@Suite(.serialized, .tags(.privileged, .endToEnd))
struct ContainerExtrasEndToEndTests {
    @Test func execTopStatsEventsPruneAndInspect() async throws {
        try await ContainerEndToEndTests().withVCH("xtra") { lab, host in
            let environment = "DOCKER_CERT_PATH=\(lab.certificateDirectory("xtra")) DOCKER_CONFIG=/run/vic-lab/\(lab.name)/docker-config"
            func docker(_ arguments: [String]) async throws -> CommandResult {
                try await lab.docker(from: "cpub", vch: "xtra", ["-H", host, "--tls"] + arguments)
            }
            /// A shell line in the client namespace, `docker` meaning the CLI for this VCH.
            func shell(_ line: String) async throws -> CommandResult {
                try await lab.run(in: "cpub", ["/bin/sh", "-c", "docker() { \(environment) /usr/local/bin/docker -H \(host) --tls \"$@\"; }; \(line)"])
            }
            let begin = Int(Date().timeIntervalSince1970) - 1
            let pull = try await docker(["pull", "busybox"])
            try #require(pull.succeeded, "\(pull.combined)")
            let run = try await docker(["run", "-d", "--name", "box", "busybox", "sleep", "1000"])
            try #require(run.succeeded, "\(run.combined)")

            // exec with output on both streams and an exit code.
            let exec = try await docker(["exec", "box", "sh", "-c", "echo out; echo err >&2; exit 3"])
            #expect(exec.status == 3, "\(exec.combined)")
            #expect(exec.standardOutput == "out\n", "\(exec.combined)")
            #expect(exec.standardError.contains("err"), "\(exec.combined)")
            let options = try await docker(["exec", "-e", "FOO=bar", "-w", "/tmp", "-u", "nobody", "box", "sh", "-c", "echo $FOO $(pwd) $(id -u)"])
            #expect(options.standardOutput == "bar /tmp 65534\n", "\(options.combined)")
            let piped = try await shell("echo hello | docker exec -i box cat")
            #expect(piped.standardOutput == "hello\n", "\(piped.combined)")
            let detached = try await docker(["exec", "-d", "box", "sh", "-c", "echo hi > /tmp/detached"])
            #expect(detached.succeeded && detached.standardOutput.isEmpty, "\(detached.combined)")
            var written = ""
            for _ in 0..<50 where written != "hi\n" {
                written = try await docker(["exec", "box", "cat", "/tmp/detached"]).standardOutput
            }
            #expect(written == "hi\n")
            // -it needs a terminal on the client side: script(1) provides one.
            let terminal = try await lab.run(in: "cpub", ["/usr/bin/script", "-qec",
                "\(environment) /usr/local/bin/docker -H \(host) --tls exec -it box sh -c 'tty; exit 4'", "/dev/null"])
            #expect(terminal.status == 4, "\(terminal.combined)")
            #expect(terminal.standardOutput.contains("/dev/pts/"), "\(terminal.combined)")

            let stopped = try await docker(["run", "--name", "done", "busybox", "true"])
            #expect(stopped.succeeded, "\(stopped.combined)")
            let refused = try await docker(["exec", "done", "true"])
            #expect(refused.status != 0 && refused.standardError.contains("is not running"), "\(refused.combined)")

            let top = try await docker(["top", "box"])
            #expect(top.succeeded && top.standardOutput.contains("PID") && top.standardOutput.contains("sleep 1000"), "\(top.combined)")
            let stats = try await docker(["stats", "--no-stream", "--format", "{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.NetIO}}|{{.PIDs}}", "box"])
            #expect(stats.succeeded, "\(stats.combined)")
            let fields = stats.standardOutput.trimmingWhitespace().split(separator: "|").map(String.init)
            #expect(fields.count == 5, "\(stats.combined)")
            if fields.count == 5 {
                #expect(fields[0] == "box" && fields[1].hasSuffix("%"), "\(stats.combined)")
                #expect(fields[2].contains(" / ") && !fields[2].hasPrefix("0B"), "\(stats.combined)")
                #expect(fields[3].contains(" / "), "\(stats.combined)")
                #expect((Int(fields[4]) ?? 0) >= 1, "\(stats.combined)")
            }

            let end = Int(Date().timeIntervalSince1970) + 1
            let events = try await docker(["events", "--since", "\(begin)", "--until", "\(end)",
                                           "--filter", "container=box", "--format", "{{.Action}}"])
            #expect(events.succeeded, "\(events.combined)")
            let actions = events.standardOutput.split(separator: "\n").map(String.init)
            for action in ["create", "start", "exec_create: sh -c echo out; echo err >&2; exit 3", "exec_start: cat /tmp/detached", "exec_die"] {
                #expect(actions.contains(action), "missing \(action): \(events.combined)")
            }
            #expect(!actions.contains("destroy"))

            let stop = try await docker(["stop", "-t", "1", "box"])
            #expect(stop.succeeded, "\(stop.combined)")
            let prune = try await docker(["container", "prune", "-f"])
            #expect(prune.succeeded && prune.standardOutput.contains("Deleted Containers:")
                    && prune.standardOutput.contains("Total reclaimed space:"), "\(prune.combined)")
            let left = try await docker(["ps", "-aq"])
            #expect(left.standardOutput.trimmingWhitespace().isEmpty, "\(left.combined)")
            let died = try await docker(["events", "--since", "\(begin)", "--until", "\(Int(Date().timeIntervalSince1970) + 1)",
                                         "--filter", "event=die", "--format", "{{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}"])
            #expect(died.standardOutput.contains("done 0"), "\(died.combined)")

            let unknown = try await docker(["inspect", "nosuch"])
            #expect(unknown.status == 1, "\(unknown.combined)")
            #expect(unknown.standardError.contains("Error: No such object: nosuch"), "\(unknown.combined)")
            let history = try await docker(["image", "history", "busybox"])
            #expect(history.succeeded && history.standardOutput.hasPrefix("IMAGE") && history.standardOutput.contains("CREATED BY"),
                    "\(history.combined)")
            #expect(history.standardOutput.split(separator: "\n").count >= 2, "\(history.combined)")
            let volumes = try await docker(["volume", "ls", "-q"])
            #expect(volumes.succeeded && volumes.standardOutput.isEmpty, "\(volumes.combined)")
        }
    }

    /// pause and unpause: a paused container's processes make no progress, it shows as paused,
    /// exec and attach are refused with dockerd's words, and stop ends it at once.
    @Test func pauseAndUnpause() async throws {
        try await withFilesVCH("pz") { lab, docker, files in
            let pull = try await docker(["pull", "busybox"])
            try #require(pull.succeeded, "\(pull.combined)")
            let run = try await docker(["run", "-d", "--name", "ticker", "busybox", "sh", "-c",
                                        "trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.05; done"])
            try #require(run.succeeded, "\(run.combined)")
            try await Task.sleep(for: .milliseconds(300))
            let pause = try await docker(["pause", "ticker"])
            #expect(pause.succeeded, "\(pause.combined)")
            #expect(try await docker.inspect("ticker", "{{.State.Status}} {{.State.Paused}} {{.State.Running}}") == "paused true true")
            let listed = try await docker(["ps", "--filter", "status=paused", "--format", "{{.Names}} {{.Status}}"])
            #expect(listed.standardOutput.hasPrefix("ticker Up") && listed.standardOutput.contains("(Paused)"), "\(listed.combined)")
            let exec = try await docker(["exec", "ticker", "true"])
            #expect(!exec.succeeded && exec.standardError.contains("is paused, unpause the container before exec"), "\(exec.combined)")
            let again = try await docker(["pause", "ticker"])
            #expect(!again.succeeded && again.standardError.contains("is already paused"), "\(again.combined)")
            // Frozen: the count read from outside does not move.
            let first = try await docker(["cp", "ticker:/tmp/count", "-"])
            try await Task.sleep(for: .milliseconds(400))
            let second = try await docker(["cp", "ticker:/tmp/count", "-"])
            #expect(first.succeeded && first.standardOutput == second.standardOutput, "\(first.combined) \(second.combined)")

            let unpause = try await docker(["unpause", "ticker"])
            #expect(unpause.succeeded, "\(unpause.combined)")
            #expect(try await docker.inspect("ticker", "{{.State.Status}} {{.State.Paused}}") == "running false")
            let notPaused = try await docker(["unpause", "ticker"])
            #expect(!notPaused.succeeded && notPaused.standardError.contains("is not paused"), "\(notPaused.combined)")
            #expect(try await docker(["exec", "ticker", "true"]).succeeded)

            // Stopping a paused container thaws it after its signal: its own TERM handler ends
            // it (exit 0), not the SIGKILL after the timeout (137).
            #expect(try await docker(["pause", "ticker"]).succeeded)
            let stop = try await docker(["stop", "-t", "30", "ticker"])
            #expect(stop.succeeded, "\(stop.combined)")
            #expect(try await docker.inspect("ticker", "{{.State.Status}} {{.State.Paused}} {{.State.ExitCode}}") == "exited false 0")
            let events = try await docker(["events", "--since", "0", "--until", "\(Int(Date().timeIntervalSince1970) + 1)",
                                           "--filter", "event=pause", "--filter", "event=unpause", "--format", "{{.Action}}"])
            #expect(events.standardOutput == "pause\nunpause\npause\n", "\(events.combined)")
            #expect(try await docker(["rm", "ticker"]).succeeded)
            _ = files
        }
    }

    /// update: a running container's memory and CPU limits change at once (stats sees the new
    /// limit), the restart policy takes, and what vic does not manage is refused by name.
    @Test func updateLimitsAndRestartPolicy() async throws {
        try await withFilesVCH("upd") { lab, docker, files in
            let pull = try await docker(["pull", "busybox"])
            try #require(pull.succeeded, "\(pull.combined)")
            #expect(try await docker(["run", "-d", "--name", "limited", "-m", "64m", "busybox", "sleep", "300"]).succeeded)
            let update = try await docker(["update", "-m", "128m", "--cpus", "0.5", "--restart", "on-failure:3", "limited"])
            #expect(update.succeeded && update.standardOutput == "limited\n", "\(update.combined)")
            #expect(try await docker.inspect("limited", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}")
                    == "134217728 500000000 on-failure:3")
            let stats = try await docker(["stats", "--no-stream", "--format", "{{.MemUsage}}", "limited"])
            #expect(stats.standardOutput.hasSuffix("/ 128MiB\n"), "\(stats.combined)")
            // Streamed stats: the CLI redraws as samples arrive (about one a second). KILL: the
            // CLI ignores SIGTERM while it streams.
            let streamed = try await docker.shell("timeout -s KILL 4 docker --tls stats --format '{{.Name}} {{.MemUsage}}' limited; true")
            #expect(streamed.standardOutput.components(separatedBy: "limited ").count - 1 >= 2, "\(streamed.combined)")
            let small = try await docker(["update", "-m", "1m", "limited"])
            #expect(!small.succeeded && small.standardError.contains("Minimum memory limit allowed is 6MB"), "\(small.combined)")
            let blkio = try await docker(["update", "--blkio-weight", "300", "limited"])
            #expect(!blkio.succeeded && blkio.standardError.contains("vic does not update --blkio-weight"), "\(blkio.combined)")
            let cgroupUpdate = try await docker(["update", "--pids-limit", "40", "--cpu-shares", "256", "--memory-reservation", "48m", "limited"])
            #expect(cgroupUpdate.succeeded, "\(cgroupUpdate.combined)")
            #expect(try await docker.inspect("limited", "{{.HostConfig.PidsLimit}} {{.HostConfig.CpuShares}} {{.HostConfig.MemoryReservation}}")
                    == "40 256 50331648")
            let pid = try await docker.inspect("limited", "{{.State.Pid}}")
            #expect(cgroupValue(pid, "pids", v1: "pids.max", v2: "pids.max") == "40")
            let lifted = try await docker(["update", "--pids-limit", "-1", "limited"])
            #expect(lifted.succeeded && cgroupValue(pid, "pids", v1: "pids.max", v2: "pids.max") == "max", "\(lifted.combined)")
            #expect(try await docker(["run", "-d", "--rm", "--name", "gone", "busybox", "sleep", "300"]).succeeded)
            let autoRemove = try await docker(["update", "--restart", "always", "gone"])
            #expect(!autoRemove.succeeded && autoRemove.standardError.contains("AutoRemove is enabled"), "\(autoRemove.combined)")
            // A stopped container takes its new limit at the next start.
            #expect(try await docker(["stop", "-t", "0", "limited"]).succeeded)
            #expect(try await docker(["update", "-m", "96m", "limited"]).succeeded)
            #expect(try await docker(["start", "limited"]).succeeded)
            let restarted = try await docker(["stats", "--no-stream", "--format", "{{.MemUsage}}", "limited"])
            #expect(restarted.standardOutput.hasSuffix("/ 96MiB\n"), "\(restarted.combined)")
            #expect(try await docker(["rm", "-f", "limited", "gone"]).succeeded)
            _ = (lab, files)
        }
    }

    /// Health checks: a failing probe makes the container unhealthy after its retries, a passing
    /// one healthy; a probe that outlives its timeout fails; ps, inspect, filters and events say
    /// so; a committed image keeps the check and --no-healthcheck turns it off.
    @Test func healthChecks() async throws {
        try await withFilesVCH("hc") { lab, docker, files in
            let pull = try await docker(["pull", "busybox"])
            try #require(pull.succeeded, "\(pull.combined)")
            let since = try await docker(["version", "--format", "{{.Server.Version}}"])
            #expect(since.succeeded)
            let began = Int(Date().timeIntervalSince1970) - 1
            #expect(try await docker(["run", "-d", "--name", "probed", "--health-cmd", "test -f /tmp/ok && echo fine",
                                      "--health-interval", "300ms", "--health-retries", "2", "busybox", "sh", "-c",
                                      "sleep 3; touch /tmp/ok; exec sleep 100"]).succeeded)
            #expect(try await docker.inspect("probed", "{{.State.Health.Status}}") == "starting")
            #expect(await eventually(.seconds(3)) { (try? await docker.inspect("probed", "{{.State.Health.Status}}")) == "unhealthy" })
            #expect(try await docker.inspect("probed", "{{range .State.Health.Log}}{{.ExitCode}} {{end}}").hasPrefix("1 1"))
            #expect(await eventually(.seconds(10)) { (try? await docker.inspect("probed", "{{.State.Health.Status}}")) == "healthy" })
            let log = try await docker.inspect("probed", "{{.State.Health.FailingStreak}} {{range .State.Health.Log}}{{.ExitCode}}:{{.Output}}|{{end}}")
            #expect(log.hasPrefix("0 ") && log.hasSuffix("0:fine\n|"), "\(log)")
            let ps = try await docker(["ps", "--filter", "health=healthy", "--format", "{{.Names}} {{.Status}}"])
            #expect(ps.standardOutput.hasPrefix("probed Up ") && ps.standardOutput.contains("(healthy)"), "\(ps.combined)")
            #expect(try await docker(["ps", "-q", "--filter", "health=unhealthy"]).standardOutput.isEmpty)
            let events = try await docker(["events", "--since", "\(began)", "--until", "\(Int(Date().timeIntervalSince1970) + 1)",
                                           "--filter", "container=probed", "--format", "{{.Action}}"])
            #expect(events.standardOutput.contains("health_status: unhealthy\n") && events.standardOutput.contains("health_status: healthy\n"),
                    "\(events.combined)")

            // vchd restarts: the probes go on for the re-adopted container.
            let old = try lab.vchdPID("hc")
            #expect(kill(old, SIGKILL) == 0)
            #expect(await eventually(.seconds(15)) { processIsGone(old) })
            _ = try lab.startVCHD("hc")
            #expect(await eventually(.seconds(30)) { (try? await docker(["version"]))?.succeeded == true })
            let before = try await docker.inspect("probed", "{{range .State.Health.Log}}{{.Start}} {{end}}")
            #expect(await eventually(.seconds(5)) { (try? await docker.inspect("probed", "{{range .State.Health.Log}}{{.Start}} {{end}}")) != before },
                    "no probe after the restart")
            #expect(try await docker.inspect("probed", "{{.State.Health.Status}}") == "healthy")

            // A probe that runs past its timeout fails.
            #expect(try await docker(["run", "-d", "--name", "slow", "--health-cmd", "sleep 5", "--health-timeout", "300ms",
                                      "--health-interval", "400ms", "--health-retries", "1", "busybox", "sleep", "100"]).succeeded)
            #expect(await eventually(.seconds(5)) { (try? await docker.inspect("slow", "{{.State.Health.Status}}")) == "unhealthy" })
            let timedOut = try await docker.inspect("slow", "{{(index .State.Health.Log 0).ExitCode}} {{(index .State.Health.Log 0).Output}}")
            #expect(timedOut.hasPrefix("-1 Health check exceeded timeout (300ms)"), "\(timedOut)")
            // Timed-out probes are killed, not left running in the container.
            let probes = try await docker(["exec", "slow", "sh", "-c", "ps -o args | grep -c '^sleep 5'"])
            #expect((Int(probes.standardOutput.trimmingWhitespace()) ?? 99) <= 1, "\(probes.combined)")

            // The check goes with a commit; --no-healthcheck turns an image's off.
            #expect(try await docker(["commit", "probed", "probed:1"]).succeeded)
            #expect(try await docker(["create", "--name", "inherits", "probed:1"]).succeeded)
            let inherited = try await docker.inspect("inherits", "{{range .Config.Healthcheck.Test}}{{.}}|{{end}}")
            #expect(inherited == "CMD-SHELL|test -f /tmp/ok && echo fine|", "\(inherited)")
            #expect(try await docker(["run", "-d", "--name", "unchecked", "--no-healthcheck", "probed:1", "sleep", "100"]).succeeded)
            #expect(try await docker.inspect("unchecked", "{{if .State.Health}}checked{{else}}none{{end}} {{json .Config.Healthcheck.Test}}") == #"none ["NONE"]"#)
            let none = try await docker(["ps", "--filter", "health=none", "--format", "{{.Names}}"])
            #expect(none.standardOutput == "unchecked\n", "\(none.combined)")
            let bad = try await docker(["run", "--rm", "--health-cmd", "true", "--health-retries", "-1", "busybox", "true"])
            #expect(!bad.succeeded && bad.standardError.contains("cannot be negative"), "\(bad.combined)")
            #expect(try await docker(["rm", "-f", "probed", "slow", "inherits", "unchecked"]).succeeded)
            _ = (lab, files)
        }
    }

    /// --cap-add/--cap-drop, --read-only, --shm-size, no-new-privileges and --stop-timeout take
    /// effect inside the container; what vic does not do is refused by flag, not run without.
    @Test func securityAndResourceFlags() async throws {
        try await withFilesVCH("sec") { lab, docker, files in
            let pull = try await docker(["pull", "busybox"])
            try #require(pull.succeeded, "\(pull.combined)")
            let dropped = try await docker(["run", "--rm", "--cap-drop", "CHOWN", "busybox", "chown", "1", "/tmp"])
            #expect(!dropped.succeeded && dropped.standardError.contains("Operation not permitted"), "\(dropped.combined)")
            let only = try await docker(["run", "--rm", "--cap-drop", "ALL", "--cap-add", "chown", "busybox", "sh", "-c",
                                         "chown 1 /tmp && grep CapEff /proc/self/status"])
            #expect(only.standardOutput == "CapEff:\t0000000000000001\n", "\(only.combined)")
            let readOnly = try await docker(["run", "--rm", "--read-only", "busybox", "touch", "/x"])
            #expect(!readOnly.succeeded && readOnly.standardError.contains("Read-only file system"), "\(readOnly.combined)")
            let shm = try await docker(["run", "--rm", "--shm-size", "2m", "busybox", "sh", "-c", "df -k /dev/shm | tail -1"])
            #expect(shm.standardOutput.contains(" 2048 "), "\(shm.combined)")
            let noNew = try await docker(["run", "--rm", "--security-opt", "no-new-privileges", "busybox", "grep", "NoNewPrivs", "/proc/self/status"])
            #expect(noNew.standardOutput == "NoNewPrivs:\t1\n", "\(noNew.combined)")
            #expect(try await docker(["run", "-d", "--name", "patient", "--stop-timeout", "1", "busybox", "sleep", "100"]).succeeded)
            #expect(try await docker.inspect("patient", "{{.Config.StopTimeout}}") == "1")
            #expect(try await docker(["stop", "patient"]).succeeded)
            #expect(try await docker.inspect("patient", "{{.State.ExitCode}}") == "137")

            let unknown = try await docker(["run", "--rm", "--cap-add", "FOO", "busybox", "true"])
            #expect(!unknown.succeeded && unknown.standardError.contains("unknown capability: \"CAP_FOO\""), "\(unknown.combined)")
            // Limits and kernel settings of the container's own.
            let tuned = try await docker(["run", "--rm", "--ulimit", "nofile=1024:2048", "--sysctl", "net.core.somaxconn=1000",
                                          "--sysctl", "kernel.shmmni=1000", "--group-add", "123", "--group-add", "nogroup", "busybox", "sh", "-c",
                                          "ulimit -n; ulimit -Hn; cat /proc/sys/net/core/somaxconn /proc/sys/kernel/shmmni; id -G"])
            let lines = tuned.standardOutput.split(separator: "\n").map(String.init)
            #expect(lines.prefix(4) == ["1024", "2048", "1000", "1000"], "\(tuned.combined)")
            #expect(lines.last.map { Set($0.split(separator: " ")).isSuperset(of: ["0", "123", "65534"]) } == true, "\(tuned.combined)")
            for (flags, message) in [
                (["--sysctl", "vm.swappiness=1"], "is not allowed"),  // the CLI checks first, as vchd does
                (["--ulimit", "nofile=2048:1024"], "ulimit soft limit must be less than or equal to hard limit"),
                (["--ulimit", "bogus=1"], "invalid ulimit type: bogus"),
                (["--group-add", "nosuchgroup"], "unable to find group nosuchgroup"),
                // A --rm container that fails to start is removed, so the run ends.
                (["--user", "nosuchuser"], "unable to find user nosuchuser"),
                (["--cpuset-cpus", "0-4096"], "Requested CPUs are not available"),
                (["--memory-reservation", "1m"], "Minimum memory reservation allowed is 6MB"),
            ] {
                let refused = try await docker(["run", "--rm"] + flags + ["busybox", "true"])
                #expect(!refused.succeeded && refused.standardError.contains(message), "\(flags): \(refused.combined)")
            }
            // Seccomp: new namespaces (a user namespace needs no capability) are refused, as in
            // Docker's default profile, unless CAP_SYS_ADMIN is added or the filter is off.
            let filtered = try await docker(["run", "--rm", "busybox", "sh", "-c", "grep Seccomp: /proc/self/status; unshare -U true"])
            #expect(!filtered.succeeded && filtered.standardOutput.contains("Seccomp:\t2") && filtered.standardError.contains("Operation not permitted"),
                    "\(filtered.combined)")
            let admin = try await docker(["run", "--rm", "--cap-add", "SYS_ADMIN", "busybox", "unshare", "-m", "true"])
            #expect(admin.succeeded, "\(admin.combined)")
            let unconfined = try await docker(["run", "--rm", "--security-opt", "seccomp=unconfined", "busybox", "grep", "Seccomp:", "/proc/self/status"])
            #expect(unconfined.standardOutput == "Seccomp:\t0\n", "\(unconfined.combined)")

            // --init: tini is the first process; --oom-kill-disable reaches the memory cgroup.
            let initialized = try await docker(["run", "--rm", "--init", "busybox", "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline"])
            #expect(initialized.standardOutput.hasPrefix("/sbin/docker-init -- sh -c "), "\(initialized.combined)")
            let unguarded = try await docker(["run", "-d", "--name", "oomless", "--oom-kill-disable", "busybox", "sleep", "100"])
            #expect(unguarded.succeeded && unguarded.standardError.contains("OOM killer is disabled for the container, but no memory limit is set"),
                    "\(unguarded.combined)")
            #expect(try await docker.inspect("oomless", "{{.HostConfig.OomKillDisable}} {{.HostConfig.Init}}") == "true <nil>")
            let oomPID = try await docker.inspect("oomless", "{{.State.Pid}}")
            if FileSystem.readKernelFile("/proc/\(oomPID)/cgroup")?.contains(":memory:") == true {
                #expect(cgroupValue(oomPID, "memory", v1: "memory.oom_control", v2: "")?.contains("oom_kill_disable 1") == true)
            }
            #expect(try await docker(["rm", "-f", "oomless"]).succeeded)
            let left = try await docker(["ps", "-aq", "--filter", "status=created"])
            #expect(left.succeeded && left.standardOutput.isEmpty, "containers that failed to start with --rm are gone: \(left.combined)")
            for flags in [["--privileged"], ["--device", "/dev/null"], ["--pid", "host"], ["--blkio-weight", "300"],
                          ["--log-driver", "syslog"], ["--security-opt", "apparmor=unconfined"]] {
                let refused = try await docker(["run", "--rm"] + flags + ["busybox", "true"])
                #expect(!refused.succeeded && refused.standardError.contains("vic does not support \(flags[0])"), "\(flags): \(refused.combined)")
            }
            #expect(try await docker(["rm", "patient"]).succeeded)
            _ = (lab, files)
        }
    }
}

/// The value of a cgroup file of process `pid` for `controller`: cgroup v1's `v1` file under
/// the controller's hierarchy, or v2's `v2` file under the unified one; nil when unreadable.
func cgroupValue(_ pid: String, _ controller: String, v1: String, v2: String) -> String? {
    let lines = (FileSystem.readKernelFile("/proc/\(pid)/cgroup") ?? "").split(separator: "\n")
    let fields = lines.map { $0.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false) }
    if let line = fields.first(where: { $0.count == 3 && $0[1].split(separator: ",").contains(Substring(controller)) }) {
        return FileSystem.readKernelFile("/sys/fs/cgroup/\(controller)\(line[2])/\(v1)")?.trimmingWhitespace()
    }
    guard let unified = fields.first(where: { $0.count == 3 && $0[1].isEmpty }) else { return nil }
    return FileSystem.readKernelFile("/sys/fs/cgroup\(unified[2])/\(v2)")?.trimmingWhitespace()
}
