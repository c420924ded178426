import Foundation
import Glibc
import Testing
import VICCore
import VICSystem
@testable import VICImage

/// `docker cp` into a directory tree: what lands where, with which owner and mode, and that
/// no link or ".." in the tree or the archive leads out of the root. Runs as root (chown).
@Suite struct ArchiveExtractorTests {
    /// `outer/root` is the scoped root, `outer/source` what is archived; returns the archive.
    func archive(_ outer: String, members: [String] = ["."], _ build: (String) throws -> Void, gzip: Bool = false) async throws -> String {
        let source = outer + "/source"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        try build(source)
        let path = outer + (gzip ? "/archive.tar.gz" : "/archive.tar")
        let tar = try await Command.run("/usr/bin/tar", ["--numeric-owner", "-C", source, gzip ? "-czf" : "-cf", path] + members)
        try #require(tar.succeeded, "\(tar.standardError)")
        return path
    }

    func makeRoot(_ outer: String) throws -> ScopedDirectory {
        try FileManager.default.createDirectory(atPath: outer + "/root/dest", withIntermediateDirectories: true)
        return try ScopedDirectory(path: outer + "/root")
    }

    @Test(arguments: [false, true])
    func extractsFilesDirectoriesLinksOwnersAndModes(gzip: Bool) async throws {
        let outer = FileManager.default.temporaryDirectory.appendingPathComponent("vic-extract-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: outer) }
        let path = try await archive(outer, { source in
            try FileManager.default.createDirectory(atPath: source + "/dir/sub", withIntermediateDirectories: true)
            try "data\n".write(toFile: source + "/dir/file", atomically: false, encoding: .utf8)
            chmod(source + "/dir/file", 0o640)
            chown(source + "/dir/file", 1000, 1001)
            link(source + "/dir/file", source + "/dir/hard")
            symlink("/etc/passwd", source + "/dir/link")
        }, gzip: gzip)
        let root = try makeRoot(outer)
        let count = try ArchiveExtractor(root: root, destination: "/dest").extract(try FileByteSource(path: path))
        #expect(count == 5)
        let dest = outer + "/root/dest"
        #expect(try String(contentsOfFile: dest + "/dir/file", encoding: .utf8) == "data\n")
        var file = stat(), hard = stat()
        lstat(dest + "/dir/file", &file)
        lstat(dest + "/dir/hard", &hard)
        #expect(file.st_mode & 0o7777 == 0o640 && file.st_uid == 1000 && file.st_gid == 1001)
        #expect(file.st_ino == hard.st_ino)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dest + "/dir/link") == "/etc/passwd")

        // With an owner given, everything is that owner's; existing files are replaced.
        let again = try ArchiveExtractor(root: root, destination: "dest", options: .init(owner: .init(uid: 7, gid: 8)))
            .extract(try FileByteSource(path: path))
        #expect(again == 5)
        lstat(dest + "/dir/file", &file)
        #expect(file.st_uid == 7 && file.st_gid == 8)
    }

    @Test func linksInTheTreeAndDotDotStayInsideTheRoot() async throws {
        let outer = FileManager.default.temporaryDirectory.appendingPathComponent("vic-extract-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: outer) }
        // Only the file: a directory entry "up/" would meet the link and be refused, as dockerd does.
        let path = try await archive(outer, members: ["up/escaped"]) { source in
            try FileManager.default.createDirectory(atPath: source + "/up", withIntermediateDirectories: true)
            try "x".write(toFile: source + "/up/escaped", atomically: false, encoding: .utf8)
        }
        let root = try makeRoot(outer)
        // Links the "container" planted: an absolute one to / and a relative one climbing out.
        symlink("/", outer + "/root/dest/up")
        symlink("../../..", outer + "/root/abs")
        _ = try ArchiveExtractor(root: root, destination: "/dest").extract(try FileByteSource(path: path))
        #expect(FileManager.default.fileExists(atPath: outer + "/root/escaped"))
        #expect(!FileManager.default.fileExists(atPath: "/escaped"))
        _ = try ArchiveExtractor(root: root, destination: "/abs/dest", options: .init(noOverwriteDirNonDir: false))
            .extract(try FileByteSource(path: path))
        #expect(!FileManager.default.fileExists(atPath: outer + "/up"))
        #expect(try root.resolve("/abs/dest") == "/dest")
        #expect(try root.resolve("/dest/up/../..") == "/")

        var climbing = try TarWriter.header(path: "../evil", size: 1)
        climbing += [0x78] + TarWriter.padding(after: 1) + TarWriter.trailer
        #expect(throws: VICError.self) {
            try ArchiveExtractor(root: root, destination: "/dest").extract(BufferByteSource(climbing))
        }
        #expect(!FileManager.default.fileExists(atPath: outer + "/root/evil"))
    }

    @Test func refusesToReplaceADirectoryWithAFileWhenAsked() async throws {
        let outer = FileManager.default.temporaryDirectory.appendingPathComponent("vic-extract-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: outer) }
        let path = try await archive(outer) { source in
            try "x".write(toFile: source + "/d", atomically: false, encoding: .utf8)
        }
        let root = try makeRoot(outer)
        try FileManager.default.createDirectory(atPath: outer + "/root/dest/d", withIntermediateDirectories: true)
        #expect {
            try ArchiveExtractor(root: root, destination: "/dest").extract(try FileByteSource(path: path))
        } throws: { error in
            (error as? VICError)?.message.contains("cannot overwrite directory") == true
        }
        // Not asked: the empty directory gives way.
        _ = try ArchiveExtractor(root: root, destination: "/dest", options: .init(noOverwriteDirNonDir: false))
            .extract(try FileByteSource(path: path))
        #expect(try String(contentsOfFile: outer + "/root/dest/d", encoding: .utf8) == "x")
    }

    @Test func cleansPathsAsGoDoes() {
        #expect(ScopedDirectory.components("/a/./b//c/") == ["a", "b", "c"])
        #expect(ScopedDirectory.components("/../a/../../b") == ["b"])
        #expect(ScopedDirectory.components("/").isEmpty && ScopedDirectory.components("").isEmpty)
    }
}
