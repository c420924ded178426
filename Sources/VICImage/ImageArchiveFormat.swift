import Foundation

/// The documents of an image archive as `docker save` (25 and later) writes it: the OCI image
/// layout (`oci-layout`, `index.json`, `blobs/sha256/…`) plus Docker's `manifest.json`, whose
/// entries point into the same blobs.
public enum ImageArchiveFormat {
    /// One entry of `manifest.json`.
    public struct ManifestEntry: Codable, Sendable, Equatable {
        /// The config blob's path in the archive.
        public var Config: String
        /// The image's tags ("busybox:latest"); nil for an untagged image.
        public var RepoTags: [String]?
        /// The layer tars' paths in the archive, bottom first.
        public var Layers: [String]

        /// An entry as written into `manifest.json`.
        public init(Config: String, RepoTags: [String]?, Layers: [String]) {
            self.Config = Config
            self.RepoTags = RepoTags
            self.Layers = Layers
        }
    }

    /// A descriptor with the annotations `index.json` uses to name images.
    public struct AnnotatedDescriptor: Codable, Sendable, Equatable {
        /// The manifest's media type.
        public var mediaType: String
        /// "sha256:<hex>" of the manifest blob.
        public var digest: String
        /// The manifest blob's size in bytes.
        public var size: Int64
        /// The image's names (`imageNameAnnotation`, `referenceAnnotation`); nil for an untagged image.
        public var annotations: [String: String]?
        /// The platform, when the writer states it.
        public var platform: Descriptor.Platform?
    }

    /// `index.json`.
    public struct Index: Codable, Sendable, Equatable {
        /// Always 2 for the formats vic reads and writes.
        public var schemaVersion: Int
        /// The OCI index media type, when stated.
        public var mediaType: String?
        /// One entry per image name (or one for an untagged image).
        public var manifests: [AnnotatedDescriptor]
    }

    /// `oci-layout`.
    public struct Layout: Codable, Sendable, Equatable {
        /// "1.0.0".
        public var imageLayoutVersion: String
    }

    /// containerd's annotation with the full image name ("docker.io/library/busybox:latest").
    public static let imageNameAnnotation = "io.containerd.image.name"
    /// OCI's reference annotation: a tag, or (as Docker writes it) a full reference.
    public static let referenceAnnotation = "org.opencontainers.image.ref.name"

    /// The path of a blob inside the archive.
    public static func blobPath(_ digest: String) -> String { "blobs/sha256/\(ContentStore.hex(digest))" }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}
