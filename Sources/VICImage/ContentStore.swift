import Crypto
import Foundation
import VICCore
import VICSystem

/// An image as vic keeps it: its configuration digest is its ID.
public struct ImageRecord: Codable, Sendable, Equatable {
    /// "sha256:<hex>" of the configuration blob.
    public var id: String
    /// Familiar names pointing at the image ("busybox:latest"); a tag is on one image at most.
    public var repoTags: [String]
    /// "repository@sha256:<manifest digest>" for each pull; the manifest blobs stay in the store.
    public var repoDigests: [String]
    /// Uncompressed layer digests, bottom first.
    public var diffIDs: [String]
    /// Bytes of the layers as pulled or loaded (compressed sizes for a pull).
    public var size: Int64
    /// The image's creation time from its configuration.
    public var created: Date
    /// The decoded configuration blob.
    public var configuration: ImageConfiguration
}

/// Blobs by digest, unpacked layers by diff ID, and image records, under one directory.
/// Every write lands in a temporary name and is renamed into place once verified, so a pull that
/// fails part-way leaves nothing half-stored.
public struct ContentStore: Sendable {
    /// The store's directory (the VCH's image store).
    public let root: String

    /// Opens the store, creating `blobs/sha256`, `layers`, `layerinfo`, `images` and `tmp` under
    /// `root` with mode 0700 where missing. Needs write access to `root`.
    public init(root: String) throws {
        self.root = root
        for directory in ["blobs/sha256", "layers", "layerinfo", "images", "tmp"] {
            try AtomicFile.makeDirectory("\(root)/\(directory)", mode: 0o700)
        }
    }

    /// Where the blob with `digest` ("sha256:<hex>" or bare hex) is, whether or not it exists.
    public func blobPath(_ digest: String) -> String { "\(root)/blobs/sha256/\(ContentStore.hex(digest))" }
    /// The directory the layer with `diffID` is unpacked into, used as an overlayfs lower layer.
    public func layerPath(_ diffID: String) -> String { "\(root)/layers/\(ContentStore.hex(diffID))" }
    func recordPath(_ id: String) -> String { "\(root)/images/\(ContentStore.hex(id)).json" }

    /// Whether the blob is stored; blobs are only ever renamed in once verified.
    public func hasBlob(_ digest: String) -> Bool { FileManager.default.fileExists(atPath: blobPath(digest)) }
    /// Whether the layer is unpacked; layers are only ever renamed in once complete.
    public func hasLayer(_ diffID: String) -> Bool { FileManager.default.fileExists(atPath: layerPath(diffID)) }

    /// A fresh temporary path inside the store (same file system, so renames are atomic).
    public func temporaryPath() -> String { "\(root)/tmp/\(Identifier.random().prefix(16))" }

    /// Moves a downloaded file into the blob store after checking its SHA-256 against `digest`.
    public func commitBlob(from temporary: String, digest: String) throws {
        let actual = try ContentStore.sha256(ofFile: temporary)
        guard actual == digest else {
            unlink(temporary)
            throw VICError(.invalidArgument, "blob digest mismatch: expected \(digest), got \(actual)")
        }
        guard rename(temporary, blobPath(digest)) == 0 else { throw errnoError("store blob \(digest)") }
    }

    /// Stores `data` under its SHA-256 digest (atomically, mode 0600) unless already there, and returns the digest.
    public func writeBlob(_ data: Data) throws -> String {
        let digest = ContentStore.digest(of: data)
        if !hasBlob(digest) { try AtomicFile.write(data, to: blobPath(digest), mode: 0o600) }
        return digest
    }

    /// The whole blob; `.notFound` when it is not stored.
    public func readBlob(_ digest: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: blobPath(digest)) else {
            throw VICError(.notFound, "blob \(digest) not found")
        }
        return data
    }

    /// Unpacks a layer blob once. Returns its diff ID (the digest of the uncompressed tar), which
    /// must equal `expectedDiffID` when given.
    @discardableResult
    public func unpackLayer(blob digest: String, mediaType: String, expectedDiffID: String?) throws -> String {
        if let expectedDiffID, hasLayer(expectedDiffID) { return expectedDiffID }
        let staging = temporaryPath()
        try AtomicFile.makeDirectory(staging, mode: 0o755)
        do {
            let file = try FileByteSource(path: blobPath(digest))
            let diffID: String
            let size: Int
            if mediaType.hasSuffix("gzip") || mediaType == MediaType.dockerLayerGzip {
                let hashing = HashingByteSource(try GzipByteSource(file))
                _ = try LayerUnpacker(root: staging).unpack(hashing)
                diffID = try ContentStore.drain(hashing)
                size = hashing.count
            } else {
                let hashing = HashingByteSource(file)
                _ = try LayerUnpacker(root: staging).unpack(hashing)
                diffID = try ContentStore.drain(hashing)
                size = hashing.count
            }
            if let expectedDiffID, diffID != expectedDiffID {
                throw VICError(.invalidArgument, "layer \(digest) unpacks to \(diffID), the image says \(expectedDiffID)")
            }
            // Where the layer's tar comes from, for `docker save`; written before the layer so a
            // stored layer always has one.
            try saveLayerSource(LayerSource(diffID: diffID, blob: digest, mediaType: mediaType, size: Int64(size)))
            if !hasLayer(diffID) {
                guard rename(staging, layerPath(diffID)) == 0 else { throw errnoError("store layer \(diffID)") }
            } else {
                try? FileManager.default.removeItem(atPath: staging)
            }
            return diffID
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// Stores the plain layer tar at `temporary` (on the store's file system) as the blob of
    /// `diffID`, unless it is already there, and unpacks it. On failure, the blob and layer it
    /// added are removed and the error is rethrown; what was there before stays.
    public func addPlainLayer(from temporary: String, diffID: String) throws {
        let existed = hasLayer(diffID)
        let blobExisted = hasBlob(diffID)
        do {
            if !blobExisted {
                guard rename(temporary, blobPath(diffID)) == 0 else { throw errnoError("store blob \(diffID)") }
            }
            try unpackLayer(blob: diffID, mediaType: MediaType.ociLayer, expectedDiffID: diffID)
        } catch {
            if !existed { removeLayer(diffID) }
            if !blobExisted { unlink(blobPath(diffID)) }
            throw error
        }
    }

    /// Writes the image's record (`images/<hex>.json`) atomically, replacing any earlier one.
    public func saveRecord(_ record: ImageRecord) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(record), to: recordPath(record.id), mode: 0o600)
    }

    /// Deletes the image's record; blobs and layers are left to the caller. Missing is not an error.
    public func removeRecord(_ id: String) { unlink(recordPath(id)) }

    /// Every stored image record, newest first; unreadable records are skipped.
    public func records() -> [ImageRecord] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/images")) ?? []
        return names.filter { $0.hasSuffix(".json") }.compactMap { name in
            FileManager.default.contents(atPath: "\(root)/images/\(name)")
                .flatMap { try? decoder.decode(ImageRecord.self, from: $0) }
        }.sorted { $0.created > $1.created }
    }

    /// Removes temporary leftovers of interrupted pulls.
    public func sweepTemporaries() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/tmp")) ?? []
        for name in names { try? FileManager.default.removeItem(atPath: "\(root)/tmp/\(name)") }
    }

    static func drain<S: ByteSource>(_ source: HashingByteSource<S>) throws -> String {
        while !(try source.read(upTo: 64 * 1024)).isEmpty {}
        return source.digest
    }

    /// The hex part of a "sha256:<hex>" digest; other text is returned unchanged.
    public static func hex(_ digest: String) -> String {
        digest.hasPrefix("sha256:") ? String(digest.dropFirst(7)) : digest
    }

    /// "sha256:<hex>" of `data`.
    public static func digest(of data: Data) -> String {
        "sha256:" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// "sha256:<hex>" of the file's contents, read in chunks; `.notFound` when it cannot be opened.
    public static func sha256(ofFile path: String) throws -> String {
        try drain(HashingByteSource(try FileByteSource(path: path)))
    }
}
