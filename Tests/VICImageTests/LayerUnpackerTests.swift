import Foundation
import Testing
import VICCore
import VICSystem
@testable import VICImage

func fixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
}

@discardableResult
/// A temporary directory removed when the body ends, even when it throws.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("vic-test-\(UUID())").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

func fileMode(_ path: String) -> mode_t {
    var info = stat()
    return lstat(path, &info) == 0 ? info.st_mode : 0
}

@Suite struct LayerUnpackerTests {
    @Test func unpacksGzipLayerWithLinksLongNamesAndOwners() throws {
        try withTemporaryDirectory { root in
            let source = HashingByteSource(try GzipByteSource(try FileByteSource(path: fixture("base.tar.gz"))))
            let summary = try LayerUnpacker(root: root).unpack(source)
            _ = try source.read(upTo: 1)
            #expect(summary.entries == 10)
            #expect(try String(contentsOfFile: root + "/etc/passwd", encoding: .utf8) == "root:x:0:0:root:/root:/bin/sh\n")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/bin/sh") == "busybox")
            var a = stat(), b = stat()
            stat(root + "/bin/busybox", &a)
            stat(root + "/bin/ls", &b)
            #expect(a.st_ino == b.st_ino, "hard link")
            #expect(fileMode(root + "/bin/busybox") & 0o777 == 0o755)
            #expect(fileMode(root + "/tmp") & 0o7777 == 0o1777)
            let long = root + "/home/user/" + String(repeating: "d", count: 120) + "/long-name.txt"
            var info = stat()
            #expect(lstat(long, &info) == 0)
            #expect(info.st_uid == 1000)
            #expect(info.st_mtim.tv_sec == 1_700_000_000)
        }
    }

    @Test func convertsWhiteoutsForOverlay() throws {
        try withTemporaryDirectory { root in
            let summary = try LayerUnpacker(root: root).unpack(try FileByteSource(path: fixture("upper.tar")))
            #expect(summary.whiteouts == 2)
            var info = stat()
            #expect(lstat(root + "/etc/old", &info) == 0)
            #expect(info.st_mode & S_IFMT == S_IFCHR)
            #expect(info.st_rdev == 0)
            #expect(FileSystem.attribute(root + "/var/lib/data", name: "trusted.overlay.opaque") == Array("y".utf8))
            #expect(FileManager.default.fileExists(atPath: root + "/var/lib/data/new"))
            #expect(!FileManager.default.fileExists(atPath: root + "/etc/.wh.old"))
        }
    }

    @Test(arguments: ["escape.tar", "symlink-escape.tar"])
    func refusesEntriesThatLeaveTheLayer(_ name: String) throws {
        try withTemporaryDirectory { root in
            #expect(throws: VICError.self) { try LayerUnpacker(root: root).unpack(try FileByteSource(path: fixture(name))) }
            #expect(!FileManager.default.fileExists(atPath: (root as NSString).deletingLastPathComponent + "/evil"))
        }
    }

    @Test func corruptGzipIsAnError() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture("base.tar.gz"))))
        bytes[40] ^= 0xff
        bytes[41] ^= 0xff
        let corrupt = bytes
        try withTemporaryDirectory { root in
            #expect(throws: VICError.self) {
                try LayerUnpacker(root: root).unpack(try GzipByteSource(BufferByteSource(corrupt)))
            }
        }
    }
}

@Suite struct TarReaderTests {
    @Test(arguments: [("0000644 ", 420), ("       ", 0), ("0", 0)])
    func octal(_ text: String, _ value: Int) throws {
        #expect(try TarReader<BufferByteSource>.number(ArraySlice(Array(text.utf8))) == value)
    }

    @Test func base256() throws {
        #expect(try TarReader<BufferByteSource>.number([0x80, 0, 0, 0, 0, 0, 0x01, 0x00][...]) == 256)
    }

    @Test func paxRecords() throws {
        let records = try TarReader<BufferByteSource>.paxRecords(Array("12 path=a/b\n".utf8))
        #expect(records.count == 1 && records[0].0 == "path" && records[0].1 == "a/b")
    }
}

@Suite struct ImageReferenceTests {
    @Test(arguments: [
        ("busybox", "docker.io", "library/busybox", "latest", "busybox:latest"),
        ("busybox:1.36", "docker.io", "library/busybox", "1.36", "busybox:1.36"),
        ("user/app", "docker.io", "user/app", "latest", "user/app:latest"),
        ("10.99.32.250:5000/library/busybox", "10.99.32.250:5000", "library/busybox", "latest",
         "10.99.32.250:5000/library/busybox:latest"),
        ("localhost/app:v1", "localhost", "app", "v1", "localhost/app:v1"),
        ("docker.io/library/busybox", "docker.io", "library/busybox", "latest", "busybox:latest"),
    ])
    func normalises(_ text: String, _ domain: String, _ path: String, _ tag: String, _ shown: String) throws {
        let reference = try ImageReference(parsing: text)
        #expect(reference.domain == domain)
        #expect(reference.path == path)
        #expect(reference.tag == tag)
        #expect(reference.description == shown)
    }

    @Test func digests() throws {
        let digest = "sha256:" + String(repeating: "a", count: 64)
        let reference = try ImageReference(parsing: "busybox@\(digest)")
        #expect(reference.digest == digest)
        #expect(reference.tag == nil)
        #expect(reference.manifestReference == digest)
    }

    @Test(arguments: ["", "BusyBox", "busybox:", "busybox@sha256:abc", "a//b", "-a", "a:b:c/d:e", "busybox:-x"])
    func rejects(_ text: String) {
        #expect(throws: VICError.self) { try ImageReference(parsing: text) }
    }
}
