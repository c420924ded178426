import Foundation
import VICCore
import VICSystem

/// `docker import`: a one-layer image from a root file system tarball (plain or gzip), with a
/// run configuration from `--change` instructions.
///
/// The tarball is inflated into the store once, hashed on the way (its digest is the layer's
/// diff ID), kept as the layer's blob for `docker save`, and unpacked. A failure removes both.
struct ImageImporter {
    let store: ContentStore
    let architecture: String

    /// What to record about the imported image.
    struct Options {
        var tag: String?
        var changes: [String] = []
        /// The history comment; Docker's default is "Imported from -".
        var message: String
        var created: Date
    }

    func importImage<Source: ByteSource>(_ source: Source, _ options: Options) throws -> ImageRecord {
        try ImageImporter.validate(tag: options.tag, changes: options.changes)
        let staged = try ImageImporter.stage(source, store: store)
        defer { staged.discard() }
        return try importImage(staged, options)
    }

    /// Throws `.invalidArgument` for a tag or a change instruction that an import would refuse.
    static func validate(tag: String?, changes: [String]) throws {
        var runConfig = ImageConfiguration.RunConfig()
        try ImageChanges.apply(changes, to: &runConfig)
        _ = try tag.map(ImageArchiveLoader.familiarTag)
    }

    /// Inflates the tarball in `source` (plain or gzip) into the store's temporary space,
    /// hashing it on the way. Touches no image, so it may run outside the image service.
    static func stage<Source: ByteSource>(_ source: Source, store: ContentStore) throws -> StagedLayer {
        var peek = PeekingByteSource(source)
        let isGzip = try PeekingByteSource.isGzip(&peek, what: "vic imports plain or gzip-compressed tarballs only")
        let temporary = store.temporaryPath()
        do {
            let (diffID, size) = isGzip
                ? try copy(HashingByteSource(try GzipByteSource(peek)), to: temporary)
                : try copy(HashingByteSource(peek), to: temporary)
            return StagedLayer(path: temporary, diffID: diffID, size: size)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Stores a staged tarball as the one layer of a new image.
    func importImage(_ staged: StagedLayer, _ options: Options) throws -> ImageRecord {
        var runConfig = ImageConfiguration.RunConfig()
        try ImageChanges.apply(options.changes, to: &runConfig)
        let tag = try options.tag.map(ImageArchiveLoader.familiarTag)
        let (diffID, size) = (staged.diffID, staged.size)
        do { try store.addPlainLayer(from: staged.path, diffID: diffID) } catch {
            throw VICError.wrapping(error, "import: the tarball is not a usable root file system", code: .invalidArgument)
        }

        let created = ImageImporter.timestamp(options.created)
        let configuration = ImageConfiguration(
            architecture: architecture, os: "linux", created: created, author: nil, config: runConfig,
            rootfs: .init(type: "layers", diff_ids: [diffID]),
            history: [.init(created: created, created_by: nil, empty_layer: nil, comment: options.message)])
        let data = try ImageArchiveFormat.encode(configuration)
        let id = try store.writeBlob(Data(data))
        let loaded = try ImageArchiveLoader(store: store, architecture: architecture)
            .record(id: id, configuration: configuration, size: size, tags: tag.map { [$0] } ?? [])
        guard let record = store.records().first(where: { $0.id == loaded.id }) else {
            throw VICError(.internal, "import: the record of \(id) was not written")
        }
        return record
    }

    /// Writes `source` to `path`; returns its digest and size.
    static func copy<Upstream: ByteSource>(_ source: HashingByteSource<Upstream>, to path: String) throws -> (String, Int64) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw errnoError("stage \(path)") }
        defer { close(fd) }
        while true {
            let chunk = try source.read(upTo: 256 * 1024)
            if chunk.isEmpty { break }
            try chunk.withUnsafeBytes { try FileSystem.writeAll(fd, $0, operation: "stage \(path)") }
        }
        return (source.digest, Int64(source.count))
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

/// A root file system tarball inflated into the store's temporary space and hashed, not yet
/// stored (`ImageService.stageLayer`, then `ImageService.importImage(staged:…)`). Call
/// `discard()` once done with it, whatever happened.
public struct StagedLayer: Sendable {
    let path: String
    let diffID: String
    let size: Int64

    /// Removes the staged file, if the import did not move it into the store.
    public func discard() { unlink(path) }
}

/// A source whose first bytes can be looked at before they are read.
struct PeekingByteSource<Upstream: ByteSource>: ByteSource {
    var upstream: Upstream
    var buffered: [UInt8] = []

    init(_ upstream: Upstream) { self.upstream = upstream }

    /// Whether the stream is gzip; throws `.invalidArgument` with `what` for bzip2, xz or zstd,
    /// which vic does not read.
    static func isGzip(_ source: inout PeekingByteSource, what: String) throws -> Bool {
        let head = try source.peek(6)
        if head.starts(with: [0x42, 0x5a, 0x68]) || head.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])
            || head.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) {
            throw VICError(.invalidArgument, "\(what) (this one is bzip2, xz or zstd)")
        }
        return head.starts(with: [0x1f, 0x8b])
    }

    /// Up to `count` bytes from the start, without consuming them.
    mutating func peek(_ count: Int) throws -> [UInt8] {
        while buffered.count < count {
            let more = try upstream.read(upTo: count - buffered.count)
            if more.isEmpty { break }
            buffered += more
        }
        return Array(buffered.prefix(count))
    }

    mutating func read(upTo count: Int) throws -> [UInt8] {
        guard buffered.isEmpty else {
            let chunk = Array(buffered.prefix(count))
            buffered.removeFirst(chunk.count)
            return chunk
        }
        return try upstream.read(upTo: count)
    }
}
