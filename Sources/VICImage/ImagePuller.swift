import Foundation
import VICCore

/// What a pull reports as it goes, in the order Docker's CLI expects.
public enum PullEvent: Sendable, Equatable {
    /// A line with no layer: "Pulling from library/busybox", "Digest: …", "Status: …".
    case status(String, id: String?)
    /// A layer's progress: id is the short blob digest.
    case layer(id: String, status: String, current: Int64?, total: Int64?)
}

/// Pulls images from a registry (or its mirrors) into a `ContentStore`: manifest (Docker v2
/// schema 2, OCI manifest or index, choosing linux/<arch>), configuration, then each layer once,
/// verified by digest and unpacked.
public struct ImagePuller: Sendable {
    /// The registry API client, shared with the VCH's other pulls.
    public let client: RegistryClient
    /// Where manifests, blobs, layers and records are written.
    public let store: ContentStore
    /// Mirrors for docker.io, tried in order before Docker Hub itself.
    public let mirrors: [String]
    /// The CPU architecture to pick from an index, Go's name ("amd64").
    public let architecture: String

    /// A puller; trailing slashes are dropped from `mirrors`. Nothing is fetched until `pull`.
    public init(client: RegistryClient, store: ContentStore, mirrors: [String], architecture: String) {
        self.client = client
        self.store = store
        self.mirrors = mirrors.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.architecture = architecture
    }

    /// Pulls `reference`; returns the stored image record. Progress goes to `report`.
    /// `credentials` go to the reference's own registry only, never to a mirror.
    public func pull(
        _ reference: ImageReference, credentials: RegistryCredentials? = nil, report: @Sendable (PullEvent) -> Void
    ) async throws -> (ImageRecord, isNew: Bool) {
        var candidates: [RegistryRepository] = []
        if reference.domain == ImageReference.defaultDomain {
            candidates = mirrors.map { RegistryRepository(baseURL: $0, path: reference.path) }
        }
        var own = await client.repository(domain: reference.domain, path: reference.path)
        own.credentials = credentials
        candidates.append(own)
        var lastError: (any Error)?
        for repository in candidates {
            do {
                return try await pull(reference, from: repository, report: report)
            } catch let error as VICError where error.code == .unavailable && repository != candidates.last {
                lastError = error
                continue
            }
        }
        throw lastError ?? VICError(.unavailable, "no registry for \(reference)")
    }

    func pull(_ reference: ImageReference, from repository: RegistryRepository, report: @Sendable (PullEvent) -> Void)
        async throws -> (ImageRecord, isNew: Bool)
    {
        report(.status("Pulling from \(reference.familiarRepository)", id: reference.tag ?? reference.digest))
        var (data, mediaType, _) = try await client.manifest(repository, reference: reference.manifestReference)
        // Registries do not always label an index: a document with "manifests" is one.
        struct Probe: Decodable { var manifests: [Descriptor]? }
        let isIndex = mediaType == MediaType.ociIndex || mediaType == MediaType.dockerManifestList
            || (try? JSONDecoder().decode(Probe.self, from: data))?.manifests != nil
        if isIndex {
            let index = try decode(ImageIndex.self, data, "image index of \(reference)")
            guard let chosen = index.select(architecture: architecture) else {
                throw VICError(.notFound, "no matching manifest for linux/\(architecture) in the manifest list entries")
            }
            (data, mediaType, _) = try await client.manifest(repository, reference: chosen.digest)
        }
        let manifest = try decode(ImageManifest.self, data, "manifest of \(reference)")
        let manifestDigest = try store.writeBlob(data)

        let configData = try await fetchSmallBlob(manifest.config.digest, from: repository)
        let configuration = try decode(ImageConfiguration.self, configData, "image configuration of \(reference)")
        guard configuration.rootfs.diff_ids.count == manifest.layers.count else {
            throw VICError(.invalidArgument, "\(reference): the manifest has \(manifest.layers.count) layers, the configuration \(configuration.rootfs.diff_ids.count)")
        }
        let existing = store.records().first { $0.id == manifest.config.digest }

        for (layer, diffID) in zip(manifest.layers, configuration.rootfs.diff_ids) {
            let id = String(ContentStore.hex(layer.digest).prefix(12))
            if store.hasLayer(diffID) {
                report(.layer(id: id, status: "Already exists", current: nil, total: nil))
                continue
            }
            report(.layer(id: id, status: "Pulling fs layer", current: nil, total: nil))
        }
        for (layer, diffID) in zip(manifest.layers, configuration.rootfs.diff_ids) where !store.hasLayer(diffID) {
            let id = String(ContentStore.hex(layer.digest).prefix(12))
            if !store.hasBlob(layer.digest) {
                let temporary = store.temporaryPath()
                do {
                    try await client.download(repository, digest: layer.digest, to: temporary) { current in
                        report(.layer(id: id, status: "Downloading", current: current, total: layer.size))
                    }
                    report(.layer(id: id, status: "Verifying Checksum", current: nil, total: nil))
                    try store.commitBlob(from: temporary, digest: layer.digest)
                } catch {
                    unlink(temporary)
                    throw error
                }
            }
            report(.layer(id: id, status: "Download complete", current: nil, total: nil))
            report(.layer(id: id, status: "Extracting", current: layer.size, total: layer.size))
            try store.unpackLayer(blob: layer.digest, mediaType: layer.mediaType, expectedDiffID: diffID)
            report(.layer(id: id, status: "Pull complete", current: nil, total: nil))
        }

        let tag = reference.tag.map { "\(reference.familiarRepository):\($0)" }
        let repoDigest = "\(reference.familiarRepository)@\(manifestDigest)"
        var record = existing ?? ImageRecord(
            id: manifest.config.digest, repoTags: [], repoDigests: [], diffIDs: configuration.rootfs.diff_ids,
            size: manifest.layers.reduce(0) { $0 + $1.size }, created: ImagePuller.date(configuration.created),
            configuration: configuration)
        var isNew = existing == nil
        if let tag, !record.repoTags.contains(tag) {
            // A tag moves to the newest image that claims it.
            for var other in store.records() where other.id != record.id && other.repoTags.contains(tag) {
                other.repoTags.removeAll { $0 == tag }
                try store.saveRecord(other)
            }
            record.repoTags.append(tag)
            isNew = true
        }
        if !record.repoDigests.contains(repoDigest) { record.repoDigests.append(repoDigest) }
        try store.saveRecord(record)
        report(.status("Digest: \(manifestDigest)", id: nil))
        return (record, isNew)
    }

    func fetchSmallBlob(_ digest: String, from repository: RegistryRepository) async throws -> Data {
        if !store.hasBlob(digest) {
            let temporary = store.temporaryPath()
            do {
                try await client.download(repository, digest: digest, to: temporary) { _ in }
                try store.commitBlob(from: temporary, digest: digest)
            } catch {
                unlink(temporary)
                throw error
            }
        }
        return try store.readBlob(digest)
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data, _ what: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw VICError.wrapping(error, "cannot read the \(what)", code: .invalidArgument)
        }
    }

    static func date(_ text: String?) -> Date {
        guard let text else { return Date(timeIntervalSince1970: 0) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text) ?? Date(timeIntervalSince1970: 0)
    }
}
