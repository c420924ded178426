import Foundation
import Testing
import VICCore
import VICSystem

/// Images through the docker CLI: save, load, import, images filters, rmi conflicts and image
/// events, on a VCH whose registry mirror is the lab's.
@Suite(.serialized, .tags(.privileged, .endToEnd))
struct ImageEndToEndTests {
    @Test func saveRmiLoadRunAndFilters() async throws {
        try await withFilesVCH("imgs") { lab, docker, files in
            let start = Int(Date().timeIntervalSince1970) - 1
            let pull = try await docker(["pull", "busybox"])
            #expect(pull.succeeded, "\(pull.combined)")
            let id = try await docker.inspect("busybox", "{{.Id}}")
            #expect(id.hasPrefix("sha256:"), "\(id)")

            // docker save -o, and to stdout: the same bytes, a Docker 25 style archive.
            let save = try await docker(["save", "-o", "\(files)/busybox.tar", "busybox"])
            #expect(save.succeeded, "\(save.combined)")
            let piped = try await docker.shell("docker --tls save busybox:latest > \(files)/piped.tar")
            #expect(piped.succeeded, "\(piped.combined)")
            let first = FileManager.default.contents(atPath: "\(files)/busybox.tar")
            #expect(first != nil && first == FileManager.default.contents(atPath: "\(files)/piped.tar"))
            let listing = try await Command.run("/usr/bin/tar", ["-tf", "\(files)/busybox.tar"])
            #expect(listing.succeeded, "\(listing.combined)")
            for member in ["manifest.json", "index.json", "oci-layout", "blobs/sha256/\(id.dropFirst(7))"] {
                #expect(listing.standardOutput.split(separator: "\n").contains(Substring(member)), "\(member): \(listing.standardOutput)")
            }

            // rmi is refused while a container uses the image, then works.
            let holder = try await docker(["create", "--name", "holder", "busybox", "true"])
            #expect(holder.succeeded, "\(holder.combined)")
            let refused = try await docker(["rmi", "busybox"])
            #expect(refused.status != 0)
            #expect(refused.standardError.contains(
                "conflict: unable to remove repository reference \"busybox\" (must force) - container \(holder.standardOutput.prefix(12)) is using its referenced image \(id.dropFirst(7).prefix(12))"),
                "\(refused.combined)")
            #expect(try await docker(["rm", "holder"]).succeeded)
            let rmi = try await docker(["rmi", "busybox"])
            #expect(rmi.succeeded && rmi.standardOutput.contains("Untagged: busybox:latest") && rmi.standardOutput.contains("Deleted: \(id)"),
                    "\(rmi.combined)")
            #expect(try await docker(["images", "-q"]).standardOutput.isEmpty)

            // docker load -i, then run from the loaded image; load from stdin again.
            let load = try await docker(["load", "-i", "\(files)/busybox.tar"])
            #expect(load.succeeded && load.standardOutput.contains("Loaded image: busybox:latest"), "\(load.combined)")
            #expect(try await docker.inspect("busybox", "{{.Id}}") == id)
            let run = try await docker(["run", "--rm", "busybox", "echo", "loaded"])
            #expect(run.succeeded && run.standardOutput == "loaded\n", "\(run.combined)")
            let stdin = try await docker.shell("docker --tls load < \(files)/piped.tar")
            #expect(stdin.succeeded && stdin.standardOutput.contains("Loaded image: busybox:latest"), "\(stdin.combined)")
            let bad = try await docker(["load", "-i", "/etc/hostname"])
            #expect(bad.status == 1 && bad.standardError.contains("Error response from daemon"), "\(bad.combined)")

            // Forced removal under a running container only untags: the image turns dangling and
            // the container keeps its file system.
            let keeper = try await docker(["run", "-d", "--name", "keeper", "busybox", "sleep", "100"])
            #expect(keeper.succeeded, "\(keeper.combined)")
            let forced = try await docker(["rmi", "-f", "busybox"])
            #expect(forced.succeeded && forced.standardOutput == "Untagged: busybox:latest\n", "\(forced.combined)")
            let orphan = try await docker(["images", "-q", "--no-trunc", "--filter", "dangling=true"])
            #expect(orphan.standardOutput == id + "\n", "\(orphan.combined)")
            let still = try await docker(["exec", "keeper", "cat", "/bin/busybox"])
            #expect(still.succeeded && !still.standardOutput.isEmpty, "exec in keeper: \(still.standardError)")
            #expect(try await docker(["rm", "-f", "keeper"]).succeeded)
            #expect(try await docker(["tag", String(id.dropFirst(7).prefix(12)), "busybox:latest"]).succeeded)

            // Filters and the CLI's own flags.
            #expect(try await docker(["tag", "busybox", "example.com/other:v2"]).succeeded)
            let reference = try await docker(["images", "--filter", "reference=busybox", "--format", "{{.Repository}}:{{.Tag}}"])
            #expect(reference.standardOutput == "busybox:latest\n", "\(reference.combined)")
            let byPattern = try await docker(["images", "--format", "{{.Repository}}:{{.Tag}}", "example.com/*"])
            #expect(byPattern.standardOutput == "example.com/other:v2\n", "\(byPattern.combined)")
            let quiet = try await docker(["images", "-q", "--no-trunc", "busybox"])
            #expect(quiet.standardOutput == id + "\n", "\(quiet.combined)")
            let dangling = try await docker(["images", "-q", "--filter", "dangling=true"])
            #expect(dangling.succeeded && dangling.standardOutput.isEmpty, "\(dangling.combined)")
            let invalid = try await docker(["images", "--filter", "colour=red"])
            #expect(invalid.status != 0 && invalid.standardError.contains("invalid filter 'colour'"), "\(invalid.combined)")
            let digests = try await docker(["images", "--digests", "--format", "{{.Digest}}", "busybox"])
            #expect(digests.standardOutput.hasPrefix("sha256:") || digests.standardOutput == "<none>\n", "\(digests.combined)")

            let events = try await docker(["events", "--since", "\(start)", "--until", "\(Int(Date().timeIntervalSince1970) + 1)",
                                           "--filter", "type=image", "--format", "{{.Action}}"])
            let actions = Set(events.standardOutput.split(separator: "\n").map(String.init))
            #expect(actions.isSuperset(of: ["pull", "untag", "delete", "load", "tag"]), "\(events.combined)")
        }
    }

    /// `docker export`: a stopped container's merged files (what it wrote is there, what it
    /// deleted is not), a running one's, and the archive imports back as an image that runs.
    @Test func exportStoppedAndRunningContainers() async throws {
        try await withFilesVCH("exp") { lab, docker, files in
            let pull = try await docker(["pull", "busybox"])
            try #require(pull.succeeded, "\(pull.combined)")
            let run = try await docker(["run", "--name", "stopped", "busybox", "sh", "-c", "echo made > /made && rm /bin/ls"])
            try #require(run.succeeded, "\(run.combined)")
            let export = try await docker(["export", "-o", "\(files)/stopped.tar", "stopped"])
            #expect(export.succeeded, "\(export.combined)")
            let listing = try await Command.run("/usr/bin/tar", ["-tf", "\(files)/stopped.tar"])
            let entries = Set(listing.standardOutput.split(separator: "\n").map(String.init))
            #expect(entries.contains("made") && entries.contains("bin/busybox"), "\(listing.combined.prefix(400))")
            #expect(!entries.contains("bin/ls") && !entries.contains(where: { $0.contains(".wh.") }))

            let imported = try await docker(["import", "\(files)/stopped.tar", "exported:1"])
            #expect(imported.succeeded, "\(imported.combined)")
            let cat = try await docker(["run", "--rm", "exported:1", "/bin/cat", "/made"])
            #expect(cat.succeeded && cat.standardOutput == "made\n", "\(cat.combined)")

            let live = try await docker(["run", "-d", "--name", "live", "busybox", "sh", "-c", "echo live > /live && exec sleep 300"])
            try #require(live.succeeded, "\(live.combined)")
            var running: Set<String> = []
            for _ in 0..<20 where !running.contains("live") {
                let streamed = try await docker.shell("docker --tls export live | tar -tf -")
                running = Set(streamed.standardOutput.split(separator: "\n").map(String.init))
                if !running.contains("live") { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(running.contains("live") && running.contains("bin/sh"))
            let missing = try await docker(["export", "-o", "\(files)/none.tar", "nosuch"])
            #expect(!missing.succeeded && missing.standardError.contains("No such container"), "\(missing.combined)")
            // The views mounted for the exports are gone.
            let containers = "/run/vic-lab/\(lab.name)/state/exp/containers"
            let names = try FileManager.default.contentsOfDirectory(atPath: containers)
            #expect(!names.contains { $0.hasPrefix(".export-") }, "\(names)")
            #expect(!(FileSystem.readKernelFile("/proc/self/mounts") ?? "").contains("\(containers)/.export-"))
            let remove = try await docker(["rm", "-f", "stopped", "live"])
            #expect(remove.succeeded, "\(remove.combined)")
        }
    }

    @Test func importRootFileSystemTarballs() async throws {
        try await withFilesVCH("imp") { lab, docker, files in
            // A root file system of the static busybox: /bin/busybox and /bin/sh.
            let root = "\(files)/rootfs"
            try FileManager.default.createDirectory(atPath: "\(root)/bin", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: "\(root)/bin/busybox")
            try FileManager.default.createSymbolicLink(atPath: "\(root)/bin/sh", withDestinationPath: "busybox")
            let tar = try await Command.run("/usr/bin/tar", ["-C", root, "-czf", "\(files)/rootfs.tar.gz", "."])
            #expect(tar.succeeded, "\(tar.combined)")
            let plain = try await Command.run("/usr/bin/tar", ["-C", root, "-cf", "\(files)/rootfs.tar", "."])
            #expect(plain.succeeded, "\(plain.combined)")

            let imported = try await docker(["import", "-c", #"CMD ["sh"]"#, "-c", "ENV PATH=/bin", "-c", "WORKDIR /bin",
                                             "-m", "from the test", "\(files)/rootfs.tar.gz", "imported:v1"])
            #expect(imported.succeeded && imported.standardOutput.hasPrefix("sha256:"), "\(imported.combined)")
            #expect(try await docker.inspect("imported:v1", "{{json .Config.Cmd}} {{.Config.WorkingDir}}") == #"["sh"] /bin"#)
            let run = try await docker(["run", "--rm", "imported:v1", "sh", "-c", "echo ok; pwd"])
            #expect(run.succeeded && run.standardOutput == "ok\n/bin\n", "\(run.combined)")
            let history = try await docker(["history", "--format", "{{.Comment}}", "imported:v1"])
            #expect(history.standardOutput == "from the test\n", "\(history.combined)")

            let piped = try await docker.shell("docker --tls import - piped < \(files)/rootfs.tar")
            #expect(piped.succeeded && piped.standardOutput.hasPrefix("sha256:"), "\(piped.combined)")
            let fromPipe = try await docker(["run", "--rm", "piped", "/bin/sh", "-c", "echo ok"])
            #expect(fromPipe.succeeded && fromPipe.standardOutput == "ok\n", "\(fromPipe.combined)")
            // Same tarball, same layer: stored once.
            #expect(try await docker.inspect("piped", "{{index .RootFS.Layers 0}}")
                    == (try await docker.inspect("imported:v1", "{{index .RootFS.Layers 0}}")))

            let events = try await docker(["events", "--since", "0", "--until", "\(Int(Date().timeIntervalSince1970) + 1)",
                                           "--filter", "event=import", "--format", "{{.Type}} {{.Action}}"])
            #expect(events.standardOutput == "image import\nimage import\n", "\(events.combined)")
            let bad = try await docker.shell("echo not a tarball | docker --tls import - broken")
            #expect(bad.status != 0 && bad.standardError.contains("Error response from daemon"), "\(bad.combined)")

            // image prune: an untagged import is dangling and goes; with -a, so do the tagged
            // images no container uses, but not one a container (even stopped) uses.
            let plainLayer = try await Command.run("/usr/bin/tar", ["-C", root, "-cf", "\(files)/other.tar", "bin/busybox"])
            #expect(plainLayer.succeeded, "\(plainLayer.combined)")
            let untagged = try await docker(["import", "\(files)/other.tar"])
            let danglingID = untagged.standardOutput.trimmingWhitespace()
            #expect(untagged.succeeded && danglingID.hasPrefix("sha256:"), "\(untagged.combined)")
            let prune = try await docker(["image", "prune", "-f"])
            #expect(prune.succeeded && prune.standardOutput.contains("deleted: \(danglingID)"), "\(prune.combined)")
            #expect(prune.standardOutput.contains("Total reclaimed space:") && !prune.standardOutput.contains("imported:v1"))
            #expect(try await docker(["create", "--name", "user", "piped", "sh"]).succeeded)
            let all = try await docker(["image", "prune", "-a", "-f"])
            #expect(all.succeeded && all.standardOutput.contains("untagged: imported:v1"), "\(all.combined)")
            #expect(!all.standardOutput.contains("untagged: piped"), "\(all.combined)")
            let left = try await docker(["images", "--format", "{{.Repository}}"])
            #expect(left.standardOutput == "piped\n", "\(left.combined)")
            let none = try await docker(["image", "prune", "-f"])
            #expect(none.succeeded && none.standardOutput.contains("Total reclaimed space: 0B"), "\(none.combined)")
            let badFilter = try await docker(["image", "prune", "-f", "--filter", "dangling=maybe"])
            #expect(!badFilter.succeeded && badFilter.standardError.contains("invalid filter 'dangling=maybe'"), "\(badFilter.combined)")
            #expect(try await docker(["rm", "user"]).succeeded)
        }
    }

    /// `docker commit`: what the container wrote is in the image and what it deleted is not,
    /// with `-c`, `-m` and `-a`; a running container commits too; errors are dockerd's.
    @Test func commitContainers() async throws {
        try await withFilesVCH("cmt") { lab, docker, files in
            let pull = try await docker(["pull", "busybox"])
            try #require(pull.succeeded, "\(pull.combined)")
            let run = try await docker(["run", "--name", "src", "-e", "KEEP=1", "busybox", "sh", "-c",
                                        "echo made > /made && rm /bin/ls && mkdir -p /var/x && echo y > /var/x/y"])
            try #require(run.succeeded, "\(run.combined)")
            let commit = try await docker(["commit", "-m", "the message", "-a", "someone", "-c", #"CMD ["cat", "/made"]"#,
                                           "-c", "ENV FOO=bar", "src", "committed:v1"])
            #expect(commit.succeeded && commit.standardOutput.hasPrefix("sha256:"), "\(commit.combined)")
            let made = try await docker(["run", "--rm", "committed:v1"])
            #expect(made.standardOutput == "made\n", "\(made.combined)")
            let contents = try await docker(["run", "--rm", "committed:v1", "sh", "-c", "test -e /bin/ls || echo gone; echo $FOO $KEEP; cat /var/x/y"])
            #expect(contents.standardOutput == "gone\nbar 1\ny\n", "\(contents.combined)")
            let baseLayers = Int(try await docker.inspect("busybox", "{{len .RootFS.Layers}}")) ?? 0
            #expect(try await docker.inspect("committed:v1", "{{.Author}} {{len .RootFS.Layers}}") == "someone \(baseLayers + 1)")
            let history = try await docker(["history", "--no-trunc", "--format", "{{.Comment}}", "committed:v1"])
            #expect(history.standardOutput.hasPrefix("the message\n"), "\(history.combined)")
            // The new layer: the whiteout in OCI form, and not the runtime's mount points for the
            // bound /etc files.
            let saved = try await docker(["save", "-o", "\(files)/committed.tar", "committed:v1"])
            #expect(saved.succeeded, "\(saved.combined)")
            let diffID = try await docker.inspect("committed:v1", "{{index .RootFS.Layers \(baseLayers)}}")
            let blob = "blobs/sha256/" + diffID.replacingOccurrences(of: "sha256:", with: "")
            let layer = try await Command.run("/bin/sh", ["-c", "tar -xOf \(files)/committed.tar \(blob) | tar -tf -"])
            let entries = Set(layer.standardOutput.split(separator: "\n").map(String.init))
            #expect(entries.isSuperset(of: ["./made", "./bin/.wh.ls", "./var/x/y"]), "\(layer.combined)")
            #expect(!entries.contains("./etc/hostname") && !entries.contains("./bin/ls"), "\(entries)")

            let live = try await docker(["run", "-d", "--name", "live", "busybox", "sh", "-c", "echo live > /live && exec sleep 300"])
            try #require(live.succeeded, "\(live.combined)")
            var output = ""
            for _ in 0..<20 where output != "live\n" {
                let snapshot = try await docker(["commit", "live"])
                #expect(snapshot.succeeded, "\(snapshot.combined)")
                let id = snapshot.standardOutput.trimmingWhitespace()
                output = try await docker(["run", "--rm", id, "cat", "/live"]).standardOutput
                if output != "live\n" { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(output == "live\n")
            let missing = try await docker(["commit", "nosuch"])
            #expect(!missing.succeeded && missing.standardError.contains("No such container"), "\(missing.combined)")
            let badChange = try await docker(["commit", "-c", "FROM scratch", "src", "bad:1"])
            #expect(!badChange.succeeded, "\(badChange.combined)")
            #expect(try await docker(["rm", "-f", "src", "live"]).succeeded)
        }
    }

    /// `system df`, `ps -s` and `system prune` (volumes have their own suite).
    @Test func diskUsageAndPrune() async throws {
        try await withFilesVCH("df") { lab, docker, files in
            let pull = try await docker(["pull", "busybox"])
            try #require(pull.succeeded, "\(pull.combined)")
            #expect(try await docker(["run", "--name", "writer", "busybox", "sh", "-c", "head -c 100000 /dev/zero > /big && ln /big /big2"]).succeeded)
            let df = try await docker(["system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}} {{.Size}}"])
            let rows = df.standardOutput.split(separator: "\n").map(String.init)
            #expect(df.succeeded && rows.contains("Containers 1 0 100kB") && rows.contains("Local Volumes 0 0 0B"), "\(df.combined)")
            #expect(rows.contains { $0.hasPrefix("Images 1 1 ") && $0.hasSuffix("MB") }, "hard links counted once: \(df.combined)")
            let sizes = try await docker(["ps", "-a", "-s", "--format", "{{.Names}} {{.Size}}"])
            #expect(sizes.standardOutput.hasPrefix("writer 100kB (virtual "), "\(sizes.combined)")

            let prune = try await docker(["system", "prune", "-f"])
            #expect(prune.succeeded && prune.standardOutput.contains("Total reclaimed space:"), "\(prune.combined)")
            let left = try await docker(["ps", "-aq"])
            #expect(left.succeeded && left.standardOutput.isEmpty, "stopped containers pruned: \(left.combined)")
            _ = (lab, files)
        }
    }

    /// A registry that wants a user (the lab's :5001, basic auth): a pull without credentials
    /// is refused with a hint, a wrong password fails `docker login` with 401, and after a login
    /// pulls and a `run` that pulls work; after `docker logout` they are refused again.
    @Test func loginAndPrivatePulls() async throws {
        try await Lab.with { lab in
            try await lab.startRegistry()
            let docker = try await lab.createVCH("auth", ["--insecure-registry", "10.99.32.1:5001"])
            let image = "10.99.32.1:5001/library/busybox:latest"
            let anonymous = try await docker(["pull", image])
            #expect(!anonymous.succeeded && anonymous.combined.contains("docker login"), "\(anonymous.combined)")
            let wrong = try await docker.shell("echo nope | docker --tls login -u vic --password-stdin 10.99.32.1:5001")
            #expect(!wrong.succeeded && wrong.combined.contains("401"), "\(wrong.combined)")
            let login = try await docker.shell("echo vic-lab-password | docker --tls login -u vic --password-stdin 10.99.32.1:5001")
            #expect(login.succeeded && login.standardOutput.contains("Login Succeeded"), "\(login.combined)")
            let pull = try await docker(["pull", image])
            #expect(pull.succeeded, "\(pull.combined)")
            #expect(try await docker(["rmi", image]).succeeded)
            let run = try await docker(["run", "--rm", image, "echo", "pulled by run"])
            #expect(run.succeeded && run.standardOutput == "pulled by run\n", "\(run.combined)")
            #expect(try await docker(["rmi", image]).succeeded)
            #expect(try await docker(["logout", "10.99.32.1:5001"]).succeeded)
            let again = try await docker(["pull", image])
            #expect(!again.succeeded, "\(again.combined)")
            let delete = try await lab.vicMachine(["delete", "--name", "auth"])
            #expect(delete.succeeded, "delete: \(delete.combined)")
        }
    }
}
