import Foundation

/// The documents of an image archive as `docker save` (25 and later) writes it: the OCI image
/// layout (`oci-layout`, `index.json`, `blobs/sha256/…`) plus Docker's `manifest.json`, whose
/// entries point into the same blobs.
public enum ImageArchiveFormat {
    /// One entry of `manifest.json`.
    public struct ManifestEntry: Codable, Sendable, Equatable {
        public var Config: String
        public var RepoTags: [String]?
        public var Layers: [String]

        public init(Config: String, RepoTags: [String]?, Layers: [String]) {
            self.Config = Config
            self.RepoTags = RepoTags
            self.Layers = Layers
        }
    }

    /// A descriptor with the annotations `index.json` uses to name images.
    public struct AnnotatedDescriptor: Codable, Sendable, Equatable {
        public var mediaType: String
        public var digest: String
        public var size: Int64
        public var annotations: [String: String]?
        public var platform: Descriptor.Platform?
    }

    /// `index.json`.
    public struct Index: Codable, Sendable, Equatable {
        public var schemaVersion: Int
        public var mediaType: String?
        public var manifests: [AnnotatedDescriptor]
    }

    /// `oci-layout`.
    public struct Layout: Codable, Sendable, Equatable {
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
