import Foundation
import Glibc
import Testing
import VICCore
import VICSystem
@testable import VICRuntime
@testable import VICPortLayer
import VICImage

/// `docker diff` from a layer and an upper directory, without mounting: additions,
/// modifications, whiteouts and opaque directories, with dockerd's parent lines. Runs as root
/// (mknod, trusted.* attributes).
@Suite struct RootFilesystemChangesTests {
    @Test func reportsAsDockerdsOverlayDriverDoes() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("vic-diff-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let layer = base + "/layer", upper = base + "/c/upper"
        let manager = FileManager.default
        for directory in [layer + "/etc", layer + "/var/lib/old", layer + "/bin", upper + "/etc", upper + "/var/lib/old", upper + "/tmp/new"] {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try "a".write(toFile: layer + "/etc/passwd", atomically: false, encoding: .utf8)
        try "a".write(toFile: layer + "/bin/ls", atomically: false, encoding: .utf8)
        try "b".write(toFile: upper + "/etc/passwd", atomically: false, encoding: .utf8)    // modified
        try "c".write(toFile: upper + "/etc/added", atomically: false, encoding: .utf8)     // added
        try "d".write(toFile: upper + "/tmp/new/file", atomically: false, encoding: .utf8)  // added, new dirs
        try manager.createDirectory(atPath: upper + "/bin", withIntermediateDirectories: true)
        #expect(mknod(upper + "/bin/ls", S_IFCHR, 0) == 0)                                 // deleted
        #expect(FileSystem.setAttribute(upper + "/var/lib/old", name: "trusted.overlay.opaque", value: Array("y".utf8)) == 0)
        // The runtime's mount points for the bound /etc files are not the container's changes.
        try "".write(toFile: upper + "/etc/hostname", atomically: false, encoding: .utf8)
        // Copied-up directories with the layer's own size, mode and time are not changes.
        for path in ["/etc", "/var", "/var/lib", "/bin"] {
            var info = stat()
            stat(layer + path, &info)
            var times = [info.st_atim, info.st_mtim]
            utimensat(AT_FDCWD, upper + path, &times, 0)
        }

        let stubsOnly = base + "/stubs"
        try manager.createDirectory(atPath: stubsOnly + "/upper/etc", withIntermediateDirectories: true)
        try "".write(toFile: stubsOnly + "/upper/etc/hosts", atomically: false, encoding: .utf8)
        let mountPoints: Set<String> = ["/etc/hostname", "/etc/hosts"]
        #expect(RootFilesystem(directory: stubsOnly, layers: [layer]).changes(ignoring: mountPoints).isEmpty)

        let changes = RootFilesystem(directory: base + "/c", layers: [layer]).changes(ignoring: mountPoints)
        let lines = changes.map { "\($0.kind) \($0.path)" }
        #expect(lines == [
            "deleted /bin/ls", "modified /bin",
            "added /etc/added", "modified /etc", "modified /etc/passwd",
            "added /tmp", "added /tmp/new", "added /tmp/new/file",
            "deleted /var/lib/old", "modified /var/lib",
        ], "\(lines)")
    }
}

/// `docker commit`'s configuration: the container's, merged with the request's as dockerd does.
@Suite struct CommitConfigTests {
    static let container = ContainerConfig(
        hostname: "h", user: "app", env: ["PATH=/bin", "A=1"], entrypoint: [], cmd: ["sh"], workingDir: "/w", tty: false,
        openStdin: false, stdinOnce: false, attachStdin: false, attachStdout: true, attachStderr: true,
        labels: ["l": "1"], exposedPorts: ["80/tcp"], stopSignal: nil)

    @Test func theContainersConfigurationWithTheImagesVolumes() {
        var image = ImageConfiguration.RunConfig.empty
        image.Volumes = ["/data": .init()]
        image.Cmd = ["old"]
        let config = ContainerManager.commitConfig(Self.container, image: image, overrides: nil)
        #expect(config.Cmd == ["sh"] && config.User == "app" && config.WorkingDir == "/w" && config.Entrypoint == nil)
        #expect(config.Env == ["PATH=/bin", "A=1"] && config.Labels == ["l": "1"])
        #expect(config.ExposedPorts.map { Array($0.keys) } == ["80/tcp"] && config.Volumes.map { Array($0.keys) } == ["/data"])
    }

    @Test func overridesReplaceOrMergeAsDockerdDoes() {
        var overrides = ImageConfiguration.RunConfig.empty
        overrides.Env = ["A=2", "B=3"]
        overrides.Labels = ["m": "2"]
        overrides.ExposedPorts = ["53/udp": .init()]
        overrides.Entrypoint = ["/bin/app"]
        let config = ContainerManager.commitConfig(Self.container, image: nil, overrides: overrides)
        #expect(config.Env == ["PATH=/bin", "A=2", "B=3"])
        #expect(config.Labels == ["l": "1", "m": "2"])
        #expect(Set(config.ExposedPorts?.keys.map { $0 } ?? []) == ["80/tcp", "53/udp"])
        #expect(config.Entrypoint == ["/bin/app"] && config.Cmd == nil, "an entrypoint without a command clears it")
    }
}

/// Users and groups are looked up in the container's own files, through its root.
@Suite struct ContainerUserTests {
    @Test func namesResolveInsideTheRootEvenThroughAnAbsoluteLink() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("vic-user-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let rootfs = base + "/rootfs", host = base + "/host-passwd"
        try FileManager.default.createDirectory(atPath: rootfs + "/etc", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: rootfs + base, withIntermediateDirectories: true)
        // The image's /etc/passwd is a link to an absolute path: inside the root it leads to
        // the image's own copy, never to the host's file of that name.
        try "app:x:4242:4242::/:/bin/sh\n".write(toFile: host, atomically: false, encoding: .utf8)
        try "app:x:7:8::/:/bin/sh\n".write(toFile: rootfs + host, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: rootfs + "/etc/passwd", withDestinationPath: host)
        let (uid, gid) = try ContainerFiles.resolveUser("app", rootfs: rootfs)
        #expect(uid == 7 && gid == 8)
        #expect(try ContainerFiles.resolveUser("0", rootfs: rootfs) == (0, 0))
        #expect(throws: VICError.self) { try ContainerFiles.resolveUser("nobody", rootfs: rootfs) }
        // user:group takes the group by number or by name from /etc/group, as --group-add does.
        try "root:x:0:\nstaff:x:50:app\n".write(toFile: rootfs + "/etc/group", atomically: false, encoding: .utf8)
        #expect(try ContainerFiles.resolveUser("app:staff", rootfs: rootfs) == (7, 50))
        #expect(try ContainerFiles.resolveUser("app:12", rootfs: rootfs) == (7, 12))
        #expect(try ContainerFiles.resolveGroup("staff", rootfs: rootfs) == 50)
        let missing = #expect(throws: VICError.self) { try ContainerFiles.resolveUser("app:wheel", rootfs: rootfs) }
        #expect(missing?.message == "unable to find group wheel: no matching entries in group file")
    }
}
