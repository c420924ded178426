import VICCore

/// Media types vic reads from registries.
public enum MediaType {
    /// Docker v2 schema 2 image manifest.
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    /// Docker manifest list (one manifest per platform).
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    /// OCI image manifest.
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    /// OCI image index (one manifest per platform).
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    /// A gzipped layer tar in a Docker manifest.
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    /// A gzipped layer tar in an OCI manifest.
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    /// An uncompressed layer tar (OCI); what `docker save` writes.
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    /// A Docker image configuration.
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    /// An OCI image configuration.
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"

    /// What to send in `Accept` when fetching a manifest.
    public static let acceptedManifests = [ociIndex, dockerManifestList, ociManifest, dockerManifest]
}

/// A content descriptor: what a manifest says about a blob.
public struct Descriptor: Codable, Sendable, Equatable {
    /// The blob's media type, one of `MediaType`'s or another the registry sends.
    public var mediaType: String
    /// "sha256:<hex>" of the blob's bytes; the blob is verified against it.
    public var digest: String
    /// The blob's size in bytes.
    public var size: Int64
    /// The platform of a manifest in an index; nil elsewhere.
    public var platform: Platform?

    /// A descriptor; `platform` is only for index entries.
    public init(mediaType: String, digest: String, size: Int64, platform: Platform? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.platform = platform
    }

    /// The OS, CPU architecture and variant an index entry is built for.
    public struct Platform: Codable, Sendable, Equatable {
        /// Go's name: "amd64", "arm64".
        public var architecture: String
        /// "linux", "windows".
        public var os: String
        /// The CPU variant ("v8"), if any.
        public var variant: String?
    }
}

/// An image manifest (Docker v2 schema 2 or OCI): one config and its layers, bottom first.
public struct ImageManifest: Codable, Sendable, Equatable {
    /// Always 2 for the formats vic reads and writes.
    public var schemaVersion: Int
    /// The manifest's own media type, when it states one (OCI makes it optional).
    public var mediaType: String?
    /// The image configuration blob; its digest is the image ID.
    public var config: Descriptor
    /// The layer blobs, bottom first.
    public var layers: [Descriptor]
}

/// A manifest list or OCI index: one manifest per platform.
public struct ImageIndex: Codable, Sendable, Equatable {
    /// Always 2 for the formats vic reads and writes.
    public var schemaVersion: Int
    /// The index's own media type, when it states one.
    public var mediaType: String?
    /// One manifest descriptor per platform.
    public var manifests: [Descriptor]

    /// The manifest for `os`/`architecture` (linux/amd64 by default), preferring no variant or v8.
    public func select(os: String = "linux", architecture: String) -> Descriptor? {
        let candidates = manifests.filter { $0.platform?.os == os && $0.platform?.architecture == architecture }
        return candidates.first { $0.platform?.variant == nil } ?? candidates.first
    }
}

/// The parts of an image configuration vic uses.
public struct ImageConfiguration: Codable, Sendable, Equatable {
    /// The CPU architecture the image is built for, Go's name.
    public var architecture: String?
    /// The OS the image is built for.
    public var os: String?
    /// The creation time as RFC 3339 text.
    public var created: String?
    /// The image's author, if recorded.
    public var author: String?
    /// The defaults a container of this image runs with.
    public var config: RunConfig?
    /// The layers' uncompressed digests.
    public var rootfs: RootFS
    /// One entry per build step, for `docker history`.
    public var history: [History]?

    /// The image's container defaults, with Docker's PascalCase keys.
    public struct RunConfig: Codable, Sendable, Equatable {
        /// `user[:group]` to run as.
        public var User: String?
        /// `KEY=value` environment entries.
        public var Env: [String]?
        /// The argv prefix.
        public var Entrypoint: [String]?
        /// The default arguments after the entrypoint.
        public var Cmd: [String]?
        /// The initial working directory.
        public var WorkingDir: String?
        /// "port/proto" keys, as a set.
        public var ExposedPorts: [String: Empty]?
        /// Volume mount points, as a set.
        public var Volumes: [String: Empty]?
        /// Image labels.
        public var Labels: [String: String]?
        /// The signal `docker stop` sends first.
        public var StopSignal: String?
        /// `HEALTHCHECK`: how the container's health is probed.
        public var Healthcheck: HealthConfig?
        /// `SHELL`: what runs the shell forms (a `CMD-SHELL` health check); nil is `/bin/sh -c`.
        public var Shell: [String]?
    }

    /// Docker's health check settings, with its keys; durations in nanoseconds, 0 meaning
    /// "inherit" (from the image) and then Docker's default.
    public struct HealthConfig: Codable, Sendable, Equatable {
        /// `["CMD", arg…]`, `["CMD-SHELL", command]`, `["NONE"]` (disabled), or empty (inherit).
        public var Test: [String]?
        public var Interval: Int64?
        public var Timeout: Int64?
        public var StartPeriod: Int64?
        public var StartInterval: Int64?
        public var Retries: Int?

        public init(Test: [String]? = nil, Interval: Int64? = nil, Timeout: Int64? = nil, StartPeriod: Int64? = nil,
                    StartInterval: Int64? = nil, Retries: Int? = nil) {
            self.Test = Test
            self.Interval = Interval
            self.Timeout = Timeout
            self.StartPeriod = StartPeriod
            self.StartInterval = StartInterval
            self.Retries = Retries
        }

        /// The user's settings over the image's, field by field, as dockerd merges them: an
        /// empty test or a zero duration takes the image's.
        public func over(_ image: HealthConfig?) -> HealthConfig {
            guard let image else { return self }
            func pick<T: Equatable>(_ mine: T?, _ theirs: T?, zero: T) -> T? { (mine == nil || mine == zero) ? theirs : mine }
            return HealthConfig(
                Test: (Test ?? []).isEmpty ? image.Test : Test,
                Interval: pick(Interval, image.Interval, zero: 0), Timeout: pick(Timeout, image.Timeout, zero: 0),
                StartPeriod: pick(StartPeriod, image.StartPeriod, zero: 0),
                StartInterval: pick(StartInterval, image.StartInterval, zero: 0), Retries: pick(Retries, image.Retries, zero: 0))
        }

        /// Whether it names a probe: a `CMD` or `CMD-SHELL` test.
        public var isEnabled: Bool { ["CMD", "CMD-SHELL"].contains(Test?.first ?? "") && (Test?.count ?? 0) > 1 }

        /// The probe's argv: `CMD-SHELL` runs through `shell` (the image's `SHELL`), else
        /// `/bin/sh -c`, as dockerd runs it.
        public func argv(shell: [String]? = nil) -> [String] {
            guard let test = Test, let kind = test.first else { return [] }
            let command = test.dropFirst().joined(separator: " ")
            return kind == "CMD-SHELL" ? (shell.flatMap { $0.isEmpty ? nil : $0 } ?? ["/bin/sh", "-c"]) + [command] : Array(test.dropFirst())
        }

        /// Docker's defaults: every 30 s, a 30 s timeout, 3 retries, no start period, probes
        /// every 5 s during one.
        public var interval: Duration { .nanoseconds(Interval.flatMap { $0 > 0 ? $0 : nil } ?? 30_000_000_000) }
        public var timeout: Duration { .nanoseconds(Timeout.flatMap { $0 > 0 ? $0 : nil } ?? 30_000_000_000) }
        public var startPeriod: Duration { .nanoseconds(max(StartPeriod ?? 0, 0)) }
        public var startInterval: Duration { .nanoseconds(StartInterval.flatMap { $0 > 0 ? $0 : nil } ?? 5_000_000_000) }
        public var retries: Int { Retries.flatMap { $0 > 0 ? $0 : nil } ?? 3 }
    }

    /// The `{}` value of Go's JSON-encoded sets.
    public struct Empty: Codable, Sendable, Equatable {
        public init() {}
    }

    /// The image's filesystem: its layer diff IDs, bottom first.
    public struct RootFS: Codable, Sendable, Equatable {
        /// Always "layers".
        public var type: String
        /// "sha256:<hex>" of each uncompressed layer tar, bottom first.
        public var diff_ids: [String]
    }

    /// One build step.
    public struct History: Codable, Sendable, Equatable {
        /// When the step ran, RFC 3339.
        public var created: String?
        /// The command of the step.
        public var created_by: String?
        /// True when the step added no layer.
        public var empty_layer: Bool?
        /// A free-text comment.
        public var comment: String?
    }
}

extension ImageConfiguration.RunConfig {
    /// A configuration with nothing set, for other modules (the memberwise initializer is
    /// internal).
    public static var empty: Self { Self() }
}
