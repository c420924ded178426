import Foundation
import Testing
import VICCore
import VICSystem

/// Volumes through the docker CLI, on a VCH with two volume stores: `docker volume
/// create/ls/inspect/rm/prune`, `-v`, `--mount`, `--tmpfs`, `--volumes-from`, an image's
/// `VOLUME`, copy-up, read-only mounts, `docker cp` into a volume, `rm -v`, and the data
/// surviving its containers, vchd and the VCH.
@Suite(.serialized, .tags(.privileged, .endToEnd))
struct VolumeEndToEndTests {
    @Test func volumesOnTwoStores() async throws {
        try await Lab.with { lab in
            try await lab.startRegistry()
            let stores = "/run/vic-lab/\(lab.name)/volumes"
            let docker = try await lab.createVCH("vol", ["--volume-store", "\(stores)/main:default", "--volume-store", "\(stores)/fast:fast"])
            func ok(_ arguments: [String], _ location: SourceLocation = #_sourceLocation) async throws -> String {
                let result = try await docker(arguments)
                try #require(result.succeeded, "docker \(arguments.joined(separator: " ")): \(result.combined)", sourceLocation: location)
                return result.standardOutput.trimmingWhitespace()
            }
            func refused(_ arguments: [String], _ message: String, _ location: SourceLocation = #_sourceLocation) async throws {
                let result = try await docker(arguments)
                #expect(!result.succeeded && result.standardError.contains(message), "\(result.combined)", sourceLocation: location)
            }
            _ = try await ok(["pull", "busybox"])
            let inspect = try await lab.vicMachine(["inspect", "--name", "vol"])
            #expect(inspect.standardOutput.contains("Volume store fast: \(stores)/fast"), "\(inspect.combined)")

            // create, ls, inspect: the default store, or one named by VIC's VolumeStore option.
            #expect(try await ok(["volume", "create", "data"]) == "data")
            _ = try await ok(["volume", "create", "--opt", "VolumeStore=fast", "--label", "tier=cache", "quick"])
            #expect(try await ok(["volume", "create", "data"]) == "data", "an existing name is returned, as Docker does")
            let listed = try await ok(["volume", "ls", "--format", "{{.Driver}} {{.Name}}"])
            #expect(listed == "local data\nlocal quick", "\(listed)")
            #expect(try await ok(["volume", "ls", "-q", "--filter", "label=tier=cache"]) == "quick")
            let quick = try await ok(["volume", "inspect", "quick", "--format", "{{.Mountpoint}} {{.Options.VolumeStore}} {{.Labels.tier}} {{.Scope}}"])
            #expect(quick == "\(stores)/fast/volumes/quick/_data fast cache local", "\(quick)")
            try await refused(["volume", "create", "--opt", "VolumeStore=slow", "x1"], "No volume store named (slow) exists")
            try await refused(["volume", "create", "--opt", "Capacity=2G", "x1"], "volume option Capacity is not supported")
            try await refused(["volume", "create", "-d", "nfs", "x1"], "volume driver nfs is not supported")
            try await refused(["volume", "inspect", "nosuch"], "no such volume")

            // Data written through one container is there for the next; :ro is read-only.
            _ = try await ok(["run", "--rm", "-v", "data:/data", "busybox", "sh", "-c", "echo hello > /data/greeting"])
            #expect(try await ok(["run", "--rm", "-v", "data:/data:ro", "busybox", "cat", "/data/greeting"]) == "hello")
            try await refused(["run", "--rm", "-v", "data:/data:ro", "busybox", "touch", "/data/x"], "Read-only file system")
            #expect(FileManager.default.fileExists(atPath: "\(stores)/main/volumes/data/_data/greeting"))

            // Copy-up: a new named volume over an image directory starts with its files; nocopy does not.
            #expect(try await ok(["run", "--rm", "-v", "etc-copy:/etc", "busybox", "cat", "/etc/group"]).hasPrefix("root:x:0:"))
            #expect(try await ok(["run", "--rm", "--mount", "type=volume,src=etc-empty,dst=/etc,volume-nocopy", "busybox", "ls", "/etc"])
                    .split(separator: "\n").sorted() == ["hostname", "hosts", "resolv.conf"])
            // As dockerd: any later mount of a volume that is still empty copies in.
            _ = try await ok(["run", "--rm", "-v", "later:/nothing-here", "busybox", "true"])
            #expect(try await ok(["run", "--rm", "-v", "later:/etc", "busybox", "cat", "/etc/group"]).hasPrefix("root:x:0:"))

            // Anonymous volumes: -v /path, the image's VOLUME; --rm and rm -v take them, rm alone does not.
            _ = try await ok(["run", "--name", "writer", "busybox", "sh", "-c", "mkdir -p /srv/www && echo page > /srv/www/index.html"])
            _ = try await ok(["commit", "-c", "VOLUME /srv/www", "writer", "with-volume:1"])
            _ = try await ok(["rm", "writer"])
            let before = try await ok(["volume", "ls", "-q"])
            _ = try await ok(["run", "--rm", "-v", "/scratch", "busybox", "touch", "/scratch/x"])
            #expect(try await ok(["volume", "ls", "-q"]) == before, "--rm removes its anonymous volume")
            let created = try await docker(["create", "--name", "site", "with-volume:1", "cat", "/srv/www/index.html"])
            #expect(created.succeeded && !created.standardError.contains("vic keeps"), "\(created.combined)")
            #expect(try await ok(["start", "-a", "site"]) == "page")
            let anonymous = try await ok(["inspect", "site", "--format", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}}{{end}}"])
            #expect(anonymous.hasPrefix("volume ") && anonymous.hasSuffix(" /srv/www true") && anonymous.count == 7 + 64 + 14, "\(anonymous)")
            let anonymousName = String(anonymous.split(separator: " ")[1])
            _ = try await ok(["run", "-d", "--name", "keeper", "-v", "data:/data", "-v", "/anon", "--tmpfs", "/run:size=1m",
                              "busybox", "sleep", "600"])
            #expect(try await ok(["ps", "--filter", "volume=data", "--format", "{{.Names}}"]) == "keeper")
            try await refused(["volume", "rm", "data"], "remove data: volume is in use - [")
            let tmpfs = try await ok(["exec", "keeper", "sh", "-c", "grep ' /run ' /proc/mounts"])
            #expect(tmpfs.hasPrefix("tmpfs /run tmpfs rw,nosuid,nodev,noexec") && tmpfs.contains("size=1024k"), "\(tmpfs)")
            #expect(try await ok(["diff", "keeper"]).isEmpty, "mount points are not changes")

            // --volumes-from, read-only; docker cp into and out of a volume.
            #expect(try await ok(["run", "--rm", "--volumes-from", "keeper:ro", "busybox", "sh", "-c", "cat /data/greeting; ls -d /anon; touch /data/y || echo refused"])
                    == "hello\n/anon\nrefused")
            let copied = try await docker.shell("echo copied > /tmp/vic-cp-\(lab.name) && docker --tls cp /tmp/vic-cp-\(lab.name) keeper:/data/copied.txt && rm /tmp/vic-cp-\(lab.name) && docker --tls cp keeper:/data - | tar -t | sort")
            #expect(copied.succeeded && copied.standardOutput == "data/\ndata/copied.txt\ndata/greeting\n", "\(copied.combined)")
            #expect(try await ok(["exec", "keeper", "cat", "/data/copied.txt"]) == "copied")

            // vchd restarts: volumes and their users come back.
            let old = try lab.vchdPID("vol")
            #expect(kill(old, SIGKILL) == 0)
            #expect(await eventually(.seconds(15)) { processIsGone(old) })
            _ = try lab.startVCHD("vol")
            #expect(await eventually(.seconds(30)) { (try? await docker(["version"]))?.succeeded == true })
            try await refused(["volume", "rm", "data"], "volume is in use")
            let usage = try await ok(["system", "df", "-v", "--format", "{{range .Volumes}}{{.Name}}={{.Links}} {{end}}"])
            #expect(usage.contains("data=1") && usage.contains("quick=0"), "\(usage)")

            // rm -v: the anonymous volumes go, the named ones stay; prune takes unused anonymous
            // volumes, and with --all the named ones.
            let keeperAnonymous = try await ok(["inspect", "keeper", "--format", "{{range .Mounts}}{{if eq .Destination \"/anon\"}}{{.Name}}{{end}}{{end}}"])
            _ = try await ok(["rm", "-f", "-v", "keeper"])
            let afterRemove = try await ok(["volume", "ls", "-q"])
            #expect(!afterRemove.contains(keeperAnonymous) && afterRemove.contains("data"), "\(afterRemove)")
            _ = try await ok(["rm", "site"])
            let pruned = try await ok(["volume", "prune", "-f"])
            #expect(pruned.contains(anonymousName) && !pruned.contains("data"), "\(pruned)")
            let all = try await ok(["volume", "prune", "-a", "-f"])
            #expect(all.contains("data") && all.contains("quick") && all.contains("etc-copy"), "\(all)")
            #expect(try await ok(["volume", "ls", "-q"]).isEmpty)

            // Refused by name: host directories, bad names and modes.
            try await refused(["run", "--rm", "-v", "/tmp:/x", "busybox", "true"], "vic does not mount host directories into containers (-v /tmp:/x)")
            try await refused(["run", "--rm", "--mount", "type=bind,src=/tmp,dst=/x", "busybox", "true"], "vic does not mount host directories")
            try await refused(["run", "--rm", "-v", "a!:/x", "busybox", "true"], "includes invalid characters for a local volume name")
            try await refused(["run", "--rm", "-v", "v1:/x", "-v", "v2:/x", "busybox", "true"], "Duplicate mount point: /x")
            #expect(try await ok(["volume", "ls", "-q"]).isEmpty, "a refused run leaves no volume")

            // The volume stores outlive the VCH.
            _ = try await ok(["volume", "create", "kept"])
            let delete = try await lab.vicMachine(["delete", "--name", "vol"])
            #expect(delete.succeeded && delete.standardOutput.contains("Volume store default kept with its volumes: \(stores)/main"), "\(delete.combined)")
            #expect(FileManager.default.fileExists(atPath: "\(stores)/main/volumes/kept/_data"))
        }
    }

    /// A VCH without a volume store refuses volumes with the flag that makes one, keeps an
    /// image's VOLUMEs in the container with a warning, and still takes tmpfs mounts.
    @Test func noVolumeStore() async throws {
        try await Lab.with { lab in
            try await lab.startRegistry()
            let docker = try await lab.createVCH("novol")
            #expect(try await docker(["pull", "busybox"]).succeeded)
            for asked in [["-v", "/data"], ["-v", "named:/data"], ["--mount", "type=volume,target=/data"]] {
                let refused = try await docker(["run", "--rm"] + asked + ["busybox", "true"])
                #expect(!refused.succeeded && refused.standardError.contains("No volume store named (default) exists: create the VCH with --volume-store DIR:default"),
                        "\(asked): \(refused.combined)")
                #expect(!refused.standardOutput.contains("Pulling"), "a refusal is not a missing image: \(refused.combined)")
            }
            let created = try await docker(["volume", "create", "x1"])
            #expect(!created.succeeded && created.standardError.contains("No volume store named (default) exists"), "\(created.combined)")
            let tmpfs = try await docker(["run", "--rm", "--tmpfs", "/run", "busybox", "sh", "-c", "grep -c ' /run tmpfs ' /proc/mounts"])
            #expect(tmpfs.succeeded && tmpfs.standardOutput.trimmingWhitespace() == "1", "\(tmpfs.combined)")
            #expect(try await docker(["run", "--name", "writer", "busybox", "true"]).succeeded)
            #expect(try await docker(["commit", "-c", "VOLUME /data", "writer", "with-volume:1"]).succeeded)
            let warned = try await docker(["create", "--name", "warned", "with-volume:1", "true"])
            #expect(warned.succeeded && warned.standardError.contains("vic keeps the image's volumes (/data) in the container's own file system: the VCH has no default volume store"),
                    "\(warned.combined)")
            let delete = try await lab.vicMachine(["delete", "--name", "novol"])
            #expect(delete.succeeded, "\(delete.combined)")
        }
    }
}
