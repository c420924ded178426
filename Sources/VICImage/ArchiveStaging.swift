import Crypto
import Foundation
import VICCore
import VICSystem

/// The files of a tar archive copied into a directory of the content store, each hashed on the
/// way, so that the archive's documents and blobs can be read in any order and verified before
/// anything enters the store. Symbolic links between members (older `docker save` archives link
/// duplicate layers) are followed inside the archive only.
struct ArchiveStaging {
    /// A member copied out of the archive.
    struct File: Sendable, Equatable {
        /// Where the copy is.
        var path: String
        /// "sha256:<hex>" of the member's bytes.
        var digest: String
        var size: Int64
        /// Whether it starts with gzip's magic number.
        var isGzip: Bool
    }

    let directory: String
    private(set) var files: [String: File] = [:]
    private(set) var links: [String: String] = [:]

    /// Copies every regular file of the archive in `source` into `directory` (which must exist).
    init<Source: ByteSource>(_ source: Source, into directory: String) throws {
        self.directory = directory
        var reader = TarReader(source)
        while let entry = try reader.next() {
            guard let name = ArchiveStaging.normalised(entry.path) else {
                throw VICError(.invalidArgument, "invalid archive: entry \(entry.path) leaves the archive")
            }
            switch entry.kind {
            case .file:
                files[name] = try copy(&reader, to: "\(directory)/\(files.count)")
            case .symbolicLink, .hardLink:
                let base = entry.kind == .hardLink ? "" : (name as NSString).deletingLastPathComponent
                let target = entry.linkTarget.hasPrefix("/") ? entry.linkTarget : base + "/" + entry.linkTarget
                guard let resolved = ArchiveStaging.normalised(target) else {
                    throw VICError(.invalidArgument, "invalid archive: link \(entry.path) leaves the archive")
                }
                links[name] = resolved
            default:
                continue
            }
        }
    }

    /// The member at `path`, following links between members.
    func file(_ path: String) throws -> File {
        guard var name = ArchiveStaging.normalised(path) else {
            throw VICError(.invalidArgument, "invalid archive: \(path) leaves the archive")
        }
        for _ in 0..<16 {
            if let file = files[name] { return file }
            guard let target = links[name] else { break }
            name = target
        }
        throw VICError(.invalidArgument, "invalid archive: \(path) is missing")
    }

    func contains(_ path: String) -> Bool { (try? file(path)) != nil }

    /// A small document (at most 16 MiB) of the archive.
    func contents(_ path: String) throws -> Data {
        let file = try file(path)
        guard file.size <= 16 << 20, let data = FileManager.default.contents(atPath: file.path) else {
            throw VICError(.invalidArgument, "invalid archive: \(path) is too large or unreadable")
        }
        return data
    }

    /// Checks that every `blobs/sha256/<hex>` member hashes to its name.
    func verifyBlobs() throws {
        for (name, file) in files.sorted(by: { $0.key < $1.key }) where name.hasPrefix("blobs/sha256/") {
            let expected = "sha256:" + name.dropFirst("blobs/sha256/".count)
            guard file.digest == expected else {
                throw VICError(.invalidArgument, "invalid archive: \(name) has digest \(file.digest)")
            }
        }
    }

    /// The path relative to the archive root, or nil when it climbs out of it.
    static func normalised(_ path: String) -> String? {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." {
                guard parts.popLast() != nil else { return nil }
            } else {
                parts.append(part)
            }
        }
        return parts.joined(separator: "/")
    }

    func copy<Source: ByteSource>(_ reader: inout TarReader<Source>, to path: String) throws -> File {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw errnoError("stage \(path)") }
        defer { close(fd) }
        var hasher = SHA256()
        var size: Int64 = 0
        var head: [UInt8] = []
        while true {
            let chunk = try reader.readContents(upTo: 256 * 1024)
            if chunk.isEmpty { break }
            if head.count < 2 { head += chunk.prefix(2 - head.count) }
            hasher.update(data: chunk)
            size += Int64(chunk.count)
            try chunk.withUnsafeBytes { try FileSystem.writeAll(fd, $0, operation: "stage \(path)") }
        }
        let digest = "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return File(path: path, digest: digest, size: size, isGzip: head == [0x1f, 0x8b])
    }
}
