import Foundation
import Testing
import VICCore
@testable import VICImage

@Suite struct TarWriterTests {
    /// A whole archive of regular files, as `docker save` would write them.
    static func archive(_ files: [(String, [UInt8])]) throws -> [UInt8] {
        var bytes: [UInt8] = []
        for (path, data) in files {
            bytes += try TarWriter.header(path: path, size: Int64(data.count)) + data + TarWriter.padding(after: Int64(data.count))
        }
        return bytes + TarWriter.trailer
    }

    @Test func headersReadBackWithTheirChecksum() throws {
        let name = "blobs/sha256/" + String(repeating: "a", count: 64)
        let bytes = try TarWriterTests.archive([(name, Array("hello\n".utf8)), ("index.json", [])])
        #expect(bytes.count == 512 + 512 + 512 + 1024)
        var reader = TarReader(BufferByteSource(bytes))
        let first = try #require(try reader.next())
        #expect(first.path == name && first.kind == .file && first.size == 6 && first.mode == 0o644 && first.uid == 0)
        #expect(try reader.readContents(upTo: 100) == Array("hello\n".utf8))
        let second = try #require(try reader.next())
        #expect(second.path == "index.json" && second.size == 0)
        #expect(try reader.next() == nil)
    }

    @Test func goldenDirectoryHeader() throws {
        let header = try TarWriter.header(path: "blobs/", size: 0, isDirectory: true)
        #expect(header.count == 512)
        #expect(String(decoding: header[100..<107], as: UTF8.self) == "0000755")
        #expect(header[156] == UInt8(ascii: "5"))
        #expect(String(decoding: header[257..<265], as: UTF8.self) == "ustar\u{0}00")
        // "%06o\0 " of the byte sum, counting the checksum field as spaces.
        #expect(String(decoding: header[148..<156], as: UTF8.self) == "007046\u{0} ")
        #expect(TarReader<BufferByteSource>.checksumMatches(header))
    }

    @Test(arguments: [0, 1, 511, 512, 513])
    func paddingRoundsToBlocks(_ size: Int) {
        #expect((size + TarWriter.padding(after: Int64(size)).count) % 512 == 0)
        #expect(TarWriter.padding(after: Int64(size)).count < 512)
    }

    @Test func refusesNamesThatDoNotFit() {
        #expect(throws: VICError.self) { try TarWriter.header(path: String(repeating: "x", count: 101), size: 0) }
        #expect(throws: VICError.self) { try TarWriter.header(path: "", size: 0) }
    }
}
