import Foundation
import VICCore

/// What `docker save` will write, decided before the first byte goes out: every member of the
/// archive with its size, so that a missing layer is an error response rather than a cut-off
/// stream. Small documents are held as bytes; layers are read from the store as they are sent.
public struct ImageArchivePlan: Sendable {
    /// One file or directory of the archive.
    public struct Member: Sendable, Equatable {
        /// Where a member's bytes come from.
        public enum Contents: Sendable, Equatable {
            case directory
            case bytes([UInt8])
            /// A layer's tar, read (and inflated when compressed) from the store.
            case layer(LayerSource)
        }

        /// The path inside the archive; directories end in "/".
        public var path: String
        /// The member's size in bytes as written in its tar header; 0 for a directory.
        public var size: Int64
        /// The member's bytes, or where to read them from.
        public var contents: Contents
    }

    /// An image to save, with the tags (familiar form, "busybox:latest") to name it by.
    public struct Selection: Sendable, Equatable {
        /// The stored image to save.
        public var image: ImageRecord
        /// The names to save it under; empty saves it untagged.
        public var tags: [String]

        /// A selection; tags must parse as image references or planning throws.
        public init(image: ImageRecord, tags: [String]) {
            self.image = image
            self.tags = tags
        }
    }

    /// Every archive member in write order: directories, layers, configs, manifests, then the documents.
    public let members: [Member]
    let store: ContentStore

    /// Plans the archive of `selections` (Docker 25's layout: OCI blobs and index, plus
    /// `manifest.json`). Layers shared by several images are written once.
    public init(_ selections: [Selection], store: ContentStore) throws {
        self.store = store
        var layers: [Member] = []
        var configs: [Member] = []
        var manifests: [Member] = []
        var written: Set<String> = []
        var index: [ImageArchiveFormat.AnnotatedDescriptor] = []
        var entries: [ImageArchiveFormat.ManifestEntry] = []
        for selection in selections {
            let image = selection.image
            var descriptors: [Descriptor] = []
            for diffID in image.diffIDs {
                let source = try store.layerSource(diffID, of: image)
                descriptors.append(Descriptor(mediaType: MediaType.ociLayer, digest: diffID, size: source.size))
                if written.insert(diffID).inserted {
                    layers.append(Member(path: ImageArchiveFormat.blobPath(diffID), size: source.size, contents: .layer(source)))
                }
            }
            let config = try store.readBlob(image.id)
            if written.insert(image.id).inserted {
                configs.append(Member(path: ImageArchiveFormat.blobPath(image.id), size: Int64(config.count), contents: .bytes(Array(config))))
            }
            let manifest = try ImageArchiveFormat.encode(ImageManifest(
                schemaVersion: 2, mediaType: MediaType.ociManifest,
                config: Descriptor(mediaType: MediaType.ociConfig, digest: image.id, size: Int64(config.count)),
                layers: descriptors))
            let manifestDigest = ContentStore.digest(of: Data(manifest))
            if written.insert(manifestDigest).inserted {
                manifests.append(Member(path: ImageArchiveFormat.blobPath(manifestDigest), size: Int64(manifest.count), contents: .bytes(manifest)))
            }
            func descriptor(_ annotations: [String: String]?) -> ImageArchiveFormat.AnnotatedDescriptor {
                .init(mediaType: MediaType.ociManifest, digest: manifestDigest, size: Int64(manifest.count), annotations: annotations)
            }
            if selection.tags.isEmpty {
                index.append(descriptor(nil))
            }
            for tag in selection.tags {
                let reference = try ImageReference(parsing: tag)
                index.append(descriptor([
                    ImageArchiveFormat.imageNameAnnotation: "\(reference.repository):\(reference.tag ?? "latest")",
                    ImageArchiveFormat.referenceAnnotation: reference.tag ?? "latest",
                ]))
            }
            entries.append(.init(
                Config: ImageArchiveFormat.blobPath(image.id), RepoTags: selection.tags.isEmpty ? nil : selection.tags,
                Layers: image.diffIDs.map(ImageArchiveFormat.blobPath)))
        }
        func document(_ path: String, _ bytes: [UInt8]) -> Member {
            Member(path: path, size: Int64(bytes.count), contents: .bytes(bytes))
        }
        members = [
            Member(path: "blobs/", size: 0, contents: .directory),
            Member(path: "blobs/sha256/", size: 0, contents: .directory),
        ] + layers + configs + manifests + [
            document("index.json", try ImageArchiveFormat.encode(
                ImageArchiveFormat.Index(schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: index))),
            document("manifest.json", try ImageArchiveFormat.encode(entries)),
            document("oci-layout", try ImageArchiveFormat.encode(ImageArchiveFormat.Layout(imageLayoutVersion: "1.0.0"))),
        ]
    }

    /// The archive as a stream of chunks, produced as they are asked for.
    public func stream() -> ImageArchiveStream { ImageArchiveStream(self) }
}
