import Foundation
import Testing
import VICCore
import VICSystem

/// vchd killed and restarted under running containers, and restart policies, through the
/// docker CLI against a VCH in a lab.
@Suite(.serialized, .tags(.privileged, .endToEnd))
struct ContainerRestartEndToEndTests {
    /// Kills vchd with `signal`, checks the container process outlived it, and starts vchd again
    /// the way vic-machine does (there is no vic-machine command for it).
    func bounceVCHD(_ docker: VCHClient, signal: Int32, survivor containerPID: pid_t) async throws {
        let lab = docker.lab
        let old = try lab.vchdPID(docker.vch)
        #expect(kill(old, signal) == 0)
        #expect(await eventually(.seconds(15)) { processIsGone(old) }, "vchd \(old) still runs after signal \(signal)")
        #expect(kill(containerPID, 0) == 0, "the container process \(containerPID) died with vchd")
        let new = try lab.startVCHD(docker.vch)
        let ready = await eventually(.seconds(30)) {
            (try? await docker(["version", "--format", "{{.Server.APIVersion}}"]))?.succeeded == true
        }
        let log = (try? String(contentsOfFile: "\(lab.stateRoot)/\(docker.vch)/vchd.log", encoding: .utf8)) ?? ""
        try #require(ready, "vchd \(new) did not answer after a restart: \(log.split(separator: "\n").suffix(5))")
        #expect(try lab.vchdPID(docker.vch) == new)
    }

    /// One round: a running and an exited container survive `signal` to vchd.
    func survive(_ docker: VCHClient, signal: Int32, round: String) async throws {
        let sleeper = "sleeper-\(round)", exited = "exited-\(round)", fresh = "fresh-\(round)"
        let run = try await docker(["run", "-d", "--name", sleeper, "busybox", "sh", "-c", "echo started; exec sleep 1000"])
        try #require(run.succeeded, "\(run.combined)")
        let failed = try await docker(["run", "--name", exited, "busybox", "sh", "-c", "echo out; echo err >&2; exit 4"])
        #expect(failed.status == 4, "\(failed.combined)")
        let sleeperIP = try await docker.inspect(sleeper, "{{.NetworkSettings.IPAddress}}")
        let exitedIP = try await docker.inspect(exited, "{{.NetworkSettings.IPAddress}}")
        #expect(sleeperIP.hasPrefix("172.16.0.") && exitedIP.hasPrefix("172.16.0.") && sleeperIP != exitedIP)
        let pid = try #require(pid_t(try await docker.inspect(sleeper, "{{.State.Pid}}")))
        #expect(pid > 0)

        try await bounceVCHD(docker, signal: signal, survivor: pid)

        // The running one is re-adopted.
        let ps = try await docker(["ps", "--filter", "name=\(sleeper)", "--format", "{{.Names}} {{.Status}}"])
        #expect(ps.standardOutput.hasPrefix("\(sleeper) Up"), "\(ps.combined)")
        #expect(try await docker.inspect(sleeper, "{{.State.Status}} {{.State.Pid}} {{.NetworkSettings.IPAddress}}")
                == "running \(pid) \(sleeperIP)")
        let sleeperLogs = try await docker(["logs", sleeper])
        #expect(sleeperLogs.standardOutput == "started\n", "\(sleeperLogs.combined)")
        // The exited one keeps its state, logs and address.
        #expect(try await docker.inspect(exited, "{{.State.Status}} {{.State.ExitCode}} {{.NetworkSettings.IPAddress}}")
                == "exited 4 \(exitedIP)")
        let exitedLogs = try await docker(["logs", exited])
        #expect(exitedLogs.standardOutput == "out\n" && exitedLogs.standardError == "err\n", "\(exitedLogs.combined)")
        // A new container takes neither reserved address.
        let started = try await docker(["run", "-d", "--name", fresh, "busybox", "sleep", "1000"])
        #expect(started.succeeded, "\(started.combined)")
        let freshIP = try await docker.inspect(fresh, "{{.NetworkSettings.IPAddress}}")
        #expect(freshIP.hasPrefix("172.16.0.") && ![sleeperIP, exitedIP].contains(freshIP), "new container got \(freshIP)")

        // wait returns when stop ends the re-adopted container (sleep as pid 1 ignores SIGTERM: 137);
        // a wait that arrives after the exit answers at once with the same code.
        let waiter = Task { try await docker(["wait", sleeper]) }
        let stop = try await docker(["stop", "-t", "1", sleeper])
        #expect(stop.succeeded, "\(stop.combined)")
        let waited = try await waiter.value
        #expect(waited.standardOutput.trimmingWhitespace() == "137", "\(waited.combined)")
        #expect(kill(pid, 0) != 0, "the container process survived docker stop")
        #expect(try await docker.inspect(sleeper, "{{.State.Status}} {{.State.ExitCode}}") == "exited 137")
        let rm = try await docker(["rm", "-f", sleeper, exited, fresh])
        #expect(rm.succeeded, "\(rm.combined)")
    }

    @Test func vchdKilledAndRestartedKeepsContainers() async throws {
        try await Lab.with { lab in
            try await lab.startRegistry()
            let linksBefore = Set(try await IPRoute2Links.names(in: lab.name))
            let docker = try await lab.createVCH("rs")
            let pull = try await docker(["pull", "busybox"])
            try #require(pull.succeeded, "\(pull.combined)")
            let linksWithVCH = Set(try await IPRoute2Links.names(in: lab.name))

            try await survive(docker, signal: SIGKILL, round: "kill")
            try await survive(docker, signal: SIGTERM, round: "term")

            // Nothing of the removed containers is left: namespaces, host veth ends, mounts, directories.
            let containers = "\(lab.stateRoot)/rs/containers"
            #expect(await eventually(.seconds(10)) {
                ((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? [])
                    .filter { $0.hasPrefix("vch-rs-") && $0 != "vch-rs-host" }.isEmpty
            }, "container namespaces left: \((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? [])")
            // The kernel destroys a removed container's NICs with its namespace, and vchd deletes
            // its directory in the background: both are gone shortly after `rm` returns.
            let linksGone = await eventually(.seconds(10)) {
                (try? await IPRoute2Links.names(in: lab.name)).map(Set.init) == linksWithVCH
            }
            let links = Set(try await IPRoute2Links.names(in: lab.name))
            #expect(linksGone, "links left: \(links.subtracting(linksWithVCH))")
            #expect(mountPoints(under: "\(lab.stateRoot)/rs").isEmpty, "mounts left: \(mountPoints(under: "\(lab.stateRoot)/rs"))")
            #expect(await eventually(.seconds(10)) {
                ((try? FileManager.default.contentsOfDirectory(atPath: containers)) ?? []).isEmpty
            }, "container directories left: \((try? FileManager.default.contentsOfDirectory(atPath: containers)) ?? [])")

            let delete = try await lab.vicMachine(["delete", "--name", "rs"])
            #expect(delete.succeeded, "delete: \(delete.combined)")
            #expect(Set(try await IPRoute2Links.names(in: lab.name)) == linksBefore)
            #expect(!currentMounts().contains("\(lab.stateRoot)/rs"), "mounts left after delete")
        }
    }

    @Test func restartPolicies() async throws {
        try await Lab.with { lab in
            try await lab.startRegistry()
            let docker = try await lab.createVCH("rp")
            let pull = try await docker(["pull", "busybox"])
            try #require(pull.succeeded, "\(pull.combined)")
            func state(_ name: String) async throws -> String {
                try await docker.inspect(name, "{{.State.Status}} {{.RestartCount}}")
            }

            // on-failure:2 — two restarts, then it stays exited.
            let failing = try await docker(["run", "-d", "--name", "twice", "--restart", "on-failure:2", "busybox", "sh", "-c", "exit 1"])
            #expect(failing.succeeded, "\(failing.combined)")
            #expect(try await docker.inspect("twice", "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}")
                    == "on-failure 2")
            let settled = try await eventually(.seconds(20)) { try await state("twice") == "exited 2" }
            let ended = try await state("twice")
            #expect(settled, "on-failure:2 ended as \(ended)")
            // A third restart would come 800 ms after the second exit.
            try await Task.sleep(for: .seconds(2))
            #expect(try await state("twice") == "exited 2")
            #expect(try await docker.inspect("twice", "{{.State.ExitCode}}") == "1")

            // always and unless-stopped — restart after a clean exit; docker stop stops them for good.
            for policy in ["always", "unless-stopped"] {
                let name = "keep-\(policy)"
                let run = try await docker(["run", "-d", "--name", name, "--restart", policy, "busybox", "sh", "-c", "sleep 0.2; exit 0"])
                #expect(run.succeeded, "\(run.combined)")
                let restarted = try await eventually(.seconds(20)) {
                    (Int(try await docker.inspect(name, "{{.RestartCount}}")) ?? 0) >= 2
                }
                let afterRestarts = try await state(name)
                #expect(restarted, "\(policy): \(afterRestarts)")
                // Catch it running (it is running most of the time), then stop it.
                #expect(try await eventually(.seconds(10)) { try await state(name).hasPrefix("running") })
                let stop = try await docker(["stop", "-t", "1", name])
                #expect(stop.succeeded, "\(stop.combined)")
                let stopped = try await state(name)
                #expect(stopped.hasPrefix("exited "), "\(policy) after stop: \(stopped)")
                try await Task.sleep(for: .seconds(2))
                #expect(try await state(name) == stopped, "\(policy) restarted after docker stop")
                // docker start runs it again, and the policy applies again.
                let start = try await docker(["start", name])
                #expect(start.succeeded, "\(start.combined)")
                let count = Int(stopped.split(separator: " ").last ?? "") ?? 0
                let again = try await eventually(.seconds(20)) {
                    (Int(try await docker.inspect(name, "{{.RestartCount}}")) ?? 0) > count
                }
                let afterStart = try await state(name)
                #expect(again, "\(policy) no longer restarts after docker start: \(afterStart)")
                let remove = try await docker(["rm", "-f", name])
                #expect(remove.succeeded, "\(remove.combined)")
            }
            let rm = try await docker(["rm", "-f", "twice"])
            #expect(rm.succeeded, "\(rm.combined)")
            let left = try await docker(["ps", "-aq"])
            #expect(left.standardOutput.trimmingWhitespace().isEmpty, "\(left.combined)")
            let delete = try await lab.vicMachine(["delete", "--name", "rp"])
            #expect(delete.succeeded, "delete: \(delete.combined)")
        }
    }
}

/// Link names of a namespace, through `ip -br link` (kept here so the lab tests need no
/// plumbing types).
enum IPRoute2Links {
    static func names(in namespace: String) async throws -> [String] {
        let output = try await Command.check("/usr/sbin/ip", ["-n", namespace, "-br", "link"])
        return output.split(separator: "\n").compactMap { line in
            line.split(separator: " ").first.map { String($0.split(separator: "@").first ?? $0) }
        }
    }
}
