import Foundation
import Glibc
import Testing
import VICSystem
@testable import VICRuntime

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
