import Foundation
import Testing
import VICCore
import VICSystem

/// `docker cp` through the docker CLI: out of and into running, stopped and never-started
/// containers, directories and their contents, links kept and followed, streams on stdin and
/// stdout, dockerd's errors, and links the container holds never leading onto the host; and
/// `docker diff`, which sees what cp and the container changed.
@Suite(.serialized, .tags(.privileged, .endToEnd))
struct CopyEndToEndTests {
    @Test func copyOutOfAndIntoContainers() async throws {
        try await withFilesVCH("cp") { lab, docker, files in
            let pull = try await docker(["pull", "busybox"])
            try #require(pull.succeeded, "\(pull.combined)")
            let run = try await docker(["run", "-d", "--name", "box", "busybox", "sh", "-c",
                                        "mkdir -p /data/sub && echo hello > /data/a.txt && echo deep > /data/sub/b"
                                            + " && ln -s /etc/passwd /data/link && ln -s / /data/up && exec sleep 300"])
            try #require(run.succeeded, "\(run.combined)")
            var ready = false
            for _ in 0..<50 where !ready {
                ready = try await docker(["exec", "box", "test", "-L", "/data/up"]).succeeded
                if !ready { try await Task.sleep(for: .milliseconds(100)) }
            }
            try #require(ready)

            // Out: a file, a directory (links stay links), a directory's contents, -L, stdout.
            let file = try await docker(["cp", "box:/data/a.txt", "\(files)/a.txt"])
            #expect(file.succeeded, "\(file.combined)")
            #expect(try String(contentsOfFile: "\(files)/a.txt", encoding: .utf8) == "hello\n")
            let tree = try await docker(["cp", "box:/data", "\(files)/tree"])
            #expect(tree.succeeded, "\(tree.combined)")
            #expect(try String(contentsOfFile: "\(files)/tree/sub/b", encoding: .utf8) == "deep\n")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(files)/tree/link") == "/etc/passwd")
            try FileManager.default.createDirectory(atPath: "\(files)/contents", withIntermediateDirectories: true)
            let contents = try await docker(["cp", "box:/data/.", "\(files)/contents"])
            #expect(contents.succeeded, "\(contents.combined)")
            #expect(FileManager.default.fileExists(atPath: "\(files)/contents/sub/b"))
            let followed = try await docker(["cp", "-L", "box:/data/link", "\(files)/passwd"])
            #expect(followed.succeeded, "\(followed.combined)")
            #expect(try String(contentsOfFile: "\(files)/passwd", encoding: .utf8).hasPrefix("root:x:0:0:"))
            let listed = try await docker.shell("docker --tls cp box:/data/sub - | tar -tf -")
            #expect(listed.succeeded && listed.standardOutput == "sub/\nsub/b\n", "\(listed.combined)")
            let missing = try await docker(["cp", "box:/nosuch", files])
            #expect(!missing.succeeded && missing.standardError.contains("Could not find the file /nosuch in container box"),
                    "\(missing.combined)")

            // In: a file, a directory, a tar on stdin; owners kept, or the container user's with -a.
            try "local\n".write(toFile: "\(files)/local.txt", atomically: true, encoding: .utf8)
            chown("\(files)/local.txt", 1234, 1234)
            try FileManager.default.createDirectory(atPath: "\(files)/dir/x", withIntermediateDirectories: true)
            try "y\n".write(toFile: "\(files)/dir/x/y", atomically: true, encoding: .utf8)
            #expect(try await docker(["cp", "\(files)/local.txt", "box:/data/"]).succeeded)
            #expect(try await docker(["cp", "\(files)/dir", "box:/data/"]).succeeded)
            let inside = try await docker(["exec", "box", "sh", "-c", "cat /data/local.txt /data/dir/x/y; stat -c %u:%g /data/local.txt"])
            #expect(inside.standardOutput == "local\ny\n1234:1234\n", "\(inside.combined)")
            #expect(try await docker(["cp", "-a", "\(files)/local.txt", "box:/data/owned.txt"]).succeeded)
            let owned = try await docker(["exec", "box", "stat", "-c", "%u:%g", "/data/owned.txt"])
            #expect(owned.standardOutput == "0:0\n", "\(owned.combined)")
            let piped = try await docker.shell("cd \(files) && tar -cf - local.txt | docker --tls cp - box:/tmp")
            #expect(piped.succeeded, "\(piped.combined)")
            #expect(try await docker(["exec", "box", "cat", "/tmp/local.txt"]).standardOutput == "local\n")
            let notDirectory = try await docker(["cp", "\(files)/local.txt", "box:/data/a.txt/"])
            #expect(!notDirectory.succeeded, "\(notDirectory.combined)")

            // The container's link to / leads to its own root, not the host's.
            let marker = "vic-cp-\(lab.name)"
            #expect(try await docker(["cp", "\(files)/local.txt", "box:/data/up/tmp/\(marker)"]).succeeded)
            #expect(try await docker(["exec", "box", "cat", "/tmp/\(marker)"]).standardOutput == "local\n")
            #expect(!FileManager.default.fileExists(atPath: "/tmp/\(marker)"))
            let escape = try await docker(["cp", "box:/data/up/../../etc/hostname", "\(files)/hostname"])
            #expect(escape.succeeded, "\(escape.combined)")
            let hostname = try await docker(["exec", "box", "cat", "/etc/hostname"]).standardOutput
            #expect(try String(contentsOfFile: "\(files)/hostname", encoding: .utf8) == hostname)

            // Stopped and never-started containers: in and out, and no mount stays behind.
            #expect(try await docker(["stop", "-t", "0", "box"]).succeeded)
            #expect(try await docker(["cp", "\(files)/local.txt", "box:/data/while-stopped"]).succeeded)
            #expect(try await docker(["create", "--name", "fresh", "busybox", "cat", "/copied"]).succeeded)
            #expect(try await docker(["cp", "\(files)/local.txt", "fresh:/copied"]).succeeded)
            let back = try await docker(["cp", "box:/data/while-stopped", "\(files)/back"])
            #expect(back.succeeded, "\(back.combined)")
            #expect(try String(contentsOfFile: "\(files)/back", encoding: .utf8) == "local\n")
            let mounts = FileSystem.readKernelFile("/proc/self/mounts") ?? ""
            #expect(!mounts.contains("/run/vic-lab/\(lab.name)/state/cp/containers/"), "\(mounts)")
            let fresh = try await docker(["start", "-a", "fresh"])
            #expect(fresh.standardOutput == "local\n", "\(fresh.combined)")

            let changed = try await docker(["run", "--name", "changer", "busybox", "sh", "-c",
                                            "rm /bin/ls && echo more >> /etc/group && mkdir -p /new/dir"])
            #expect(changed.succeeded, "\(changed.combined)")
            let diff = try await docker(["diff", "changer"])
            let lines = Set(diff.standardOutput.split(separator: "\n").map(String.init))
            #expect(diff.succeeded && lines.isSuperset(of: ["C /bin", "D /bin/ls", "C /etc/group", "A /new", "A /new/dir"]),
                    "\(diff.combined)")
            // The runtime's mount points for /etc/hostname, hosts and resolv.conf are not changes.
            #expect(!lines.contains("A /etc/hostname") && !lines.contains("A /etc/resolv.conf"), "\(diff.combined)")
            #expect(try await docker(["run", "--name", "quiet", "busybox", "true"]).succeeded)
            let quiet = try await docker(["diff", "quiet"])
            #expect(quiet.succeeded && quiet.standardOutput.isEmpty, "\(quiet.combined)")
            let freshDiff = try await docker(["diff", "fresh"])
            #expect(freshDiff.standardOutput.contains("A /copied"), "\(freshDiff.combined)")
            #expect(try await docker(["rm", "changer", "quiet"]).succeeded)
            #expect(try await docker(["rm", "-f", "box", "fresh"]).succeeded)
        }
    }
}
