import Foundation
import VICCore
import VICSystem

/// Where the tar of an unpacked layer can be read again: a stored blob, compressed or not, and
/// the size of the uncompressed tar. `docker save` needs both (a tar header carries the size).
public struct LayerSource: Codable, Sendable, Equatable {
    /// "sha256:<hex>" of the uncompressed tar.
    public var diffID: String
    /// The blob holding the tar (equal to `diffID` when stored uncompressed).
    public var blob: String
    /// The blob's media type; a "gzip" suffix means it is compressed.
    public var mediaType: String
    /// Bytes of the uncompressed tar.
    public var size: Int64

    /// A source as recorded when the layer is unpacked or located again.
    public init(diffID: String, blob: String, mediaType: String, size: Int64) {
        self.diffID = diffID
        self.blob = blob
        self.mediaType = mediaType
        self.size = size
    }

    /// Whether the blob must be inflated to get the tar.
    public var isCompressed: Bool { blob != diffID && mediaType.hasSuffix("gzip") }
}

extension ContentStore {
    func layerSourcePath(_ diffID: String) -> String { "\(root)/layerinfo/\(ContentStore.hex(diffID)).json" }

    /// Records where the tar of `source.diffID` is kept.
    public func saveLayerSource(_ source: LayerSource) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(source), to: layerSourcePath(source.diffID), mode: 0o600)
    }

    /// How to read the tar of layer `diffID` of `image` again.
    ///
    /// 1. A blob whose digest is the diff ID is the tar itself.
    /// 2. Else the source recorded when the layer was unpacked, if its blob is still there.
    /// 3. Else (layers pulled before sources were recorded) the image's stored manifests name the
    ///    compressed blob; it is inflated once to learn its size, and the source recorded.
    public func layerSource(_ diffID: String, of image: ImageRecord) throws -> LayerSource {
        if let size = ContentStore.fileSize(blobPath(diffID)) {
            return LayerSource(diffID: diffID, blob: diffID, mediaType: MediaType.ociLayer, size: size)
        }
        if let data = FileManager.default.contents(atPath: layerSourcePath(diffID)),
           let source = try? JSONDecoder().decode(LayerSource.self, from: data), hasBlob(source.blob) {
            return source
        }
        for repoDigest in image.repoDigests {
            guard let at = repoDigest.lastIndex(of: "@"),
                  let data = try? readBlob(String(repoDigest[repoDigest.index(after: at)...])),
                  let manifest = try? JSONDecoder().decode(ImageManifest.self, from: data),
                  manifest.layers.count == image.diffIDs.count,
                  let index = image.diffIDs.firstIndex(of: diffID)
            else { continue }
            let layer = manifest.layers[index]
            guard hasBlob(layer.digest) else { continue }
            let hashing = HashingByteSource(try GzipByteSource(try FileByteSource(path: blobPath(layer.digest))))
            let actual = try ContentStore.drain(hashing)
            guard actual == diffID else {
                throw VICError(.invalidState, "layer blob \(layer.digest) inflates to \(actual), not \(diffID)")
            }
            let source = LayerSource(diffID: diffID, blob: layer.digest, mediaType: layer.mediaType, size: Int64(hashing.count))
            try? saveLayerSource(source)
            return source
        }
        throw VICError(.notFound, "the tar of layer \(diffID) of image \(image.id) is no longer stored")
    }

    /// Removes what the store keeps for a layer nothing uses any more: its directory, its
    /// source record and an uncompressed copy of its tar.
    public func removeLayer(_ diffID: String) {
        try? FileManager.default.removeItem(atPath: layerPath(diffID))
        unlink(layerSourcePath(diffID))
        unlink(blobPath(diffID))
    }

    /// Of `diffIDs`, those no stored image record has any more (once distinct): the layers an
    /// image removal may delete.
    public func layersNoImageHas(_ diffIDs: [String]) -> Set<String> {
        let kept = Set(records().flatMap(\.diffIDs))
        return Set(diffIDs).subtracting(kept)
    }

    /// Bytes a layer takes: its unpacked regular files, each hard-linked file once (busybox's
    /// hundreds of applet links are one file), and its blob, if kept.
    public func diskUsage(ofLayer diffID: String) -> Int64 {
        (ContentStore.fileSize(blobPath(diffID)) ?? 0) + FileSystem.regularFileBytes(under: layerPath(diffID))
    }

    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }
}
