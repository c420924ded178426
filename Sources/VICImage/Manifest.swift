import VICCore

/// Media types vic reads from registries.
public enum MediaType {
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"

    /// What to send in `Accept` when fetching a manifest.
    public static let acceptedManifests = [ociIndex, dockerManifestList, ociManifest, dockerManifest]
}

/// A content descriptor: what a manifest says about a blob.
public struct Descriptor: Codable, Sendable, Equatable {
    public var mediaType: String
    public var digest: String
    public var size: Int64
    public var platform: Platform?

    public init(mediaType: String, digest: String, size: Int64, platform: Platform? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.platform = platform
    }

    public struct Platform: Codable, Sendable, Equatable {
        public var architecture: String
        public var os: String
        public var variant: String?
    }
}

/// An image manifest (Docker v2 schema 2 or OCI): one config and its layers, bottom first.
public struct ImageManifest: Codable, Sendable, Equatable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
}

/// A manifest list or OCI index: one manifest per platform.
public struct ImageIndex: Codable, Sendable, Equatable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [Descriptor]

    /// The manifest for `os`/`architecture` (linux/amd64 by default), preferring no variant or v8.
    public func select(os: String = "linux", architecture: String) -> Descriptor? {
        let candidates = manifests.filter { $0.platform?.os == os && $0.platform?.architecture == architecture }
        return candidates.first { $0.platform?.variant == nil } ?? candidates.first
    }
}

/// The parts of an image configuration vic uses.
public struct ImageConfiguration: Codable, Sendable, Equatable {
    public var architecture: String?
    public var os: String?
    public var created: String?
    public var author: String?
    public var config: RunConfig?
    public var rootfs: RootFS
    public var history: [History]?

    public struct RunConfig: Codable, Sendable, Equatable {
        public var User: String?
        public var Env: [String]?
        public var Entrypoint: [String]?
        public var Cmd: [String]?
        public var WorkingDir: String?
        public var ExposedPorts: [String: Empty]?
        public var Volumes: [String: Empty]?
        public var Labels: [String: String]?
        public var StopSignal: String?
    }

    public struct Empty: Codable, Sendable, Equatable {}

    public struct RootFS: Codable, Sendable, Equatable {
        public var type: String
        public var diff_ids: [String]
    }

    public struct History: Codable, Sendable, Equatable {
        public var created: String?
        public var created_by: String?
        public var empty_layer: Bool?
        public var comment: String?
    }
}
