import Foundation
import VICCore
import VICSystem

/// An image that `docker load` stored: its ID and the tags it now carries from the archive.
public struct LoadedImage: Sendable, Equatable {
    /// The image ID, "sha256:<hex>" of its configuration.
    public var id: String
    /// The tags moved onto it from the archive ("busybox:latest"); empty for an untagged image.
    public var tags: [String]
}

/// Loads image archives into a `ContentStore`: Docker's (`manifest.json`, older ones with
/// `<id>/layer.tar` members too) and OCI image layouts (`index.json`).
///
/// 1. Every member is copied into the store's temporary directory and hashed.
/// 2. Every blob, configuration and uncompressed layer is checked against its digest or diff ID.
/// 3. Only then are layers unpacked, each once, and the records written, last.
///
/// A failure at any step removes what this load added, so a bad archive leaves nothing behind.
struct ImageArchiveLoader {
    let store: ContentStore
    let architecture: String

    /// One image of the archive, located but not yet verified.
    struct Candidate {
        var config: String
        var layers: [String]
        var tags: [String]
    }

    func load<Source: ByteSource>(_ source: Source) throws -> [LoadedImage] {
        let staged = try ImageArchiveLoader.stage(source, store: store)
        defer { staged.discard() }
        return try load(staged.staging)
    }

    /// Copies the archive's members into a new directory of the store's temporary space; on
    /// failure nothing stays. Touches no image, so it may run outside the image service.
    static func stage<Source: ByteSource>(_ source: Source, store: ContentStore) throws -> StagedArchive {
        let directory = store.temporaryPath()
        try AtomicFile.makeDirectory(directory, mode: 0o700)
        do { return StagedArchive(staging: try ArchiveStaging(source, into: directory)) } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Verifies the staged archive, then stores its images; see the type's notes.
    func load(_ staging: ArchiveStaging) throws -> [LoadedImage] {
        try staging.verifyBlobs()
        let candidates = try locate(staging)
        guard !candidates.isEmpty else { throw VICError(.invalidArgument, "invalid archive: it holds no image") }

        // Verify everything before the store changes.
        var images: [(Candidate, Data, ImageConfiguration, [ArchiveStaging.File])] = []
        for candidate in candidates {
            let data = try staging.contents(candidate.config)
            let configuration: ImageConfiguration
            do { configuration = try JSONDecoder().decode(ImageConfiguration.self, from: data) } catch {
                throw VICError.wrapping(error, "invalid archive: cannot read the image configuration \(candidate.config)", code: .invalidArgument)
            }
            let diffIDs = configuration.rootfs.diff_ids
            guard diffIDs.count == candidate.layers.count else {
                throw VICError(.invalidArgument, "invalid archive: \(candidate.config) lists \(diffIDs.count) layers, the manifest \(candidate.layers.count)")
            }
            let layers = try candidate.layers.map { try staging.file($0) }
            for (index, (layer, diffID)) in zip(layers, diffIDs).enumerated() where !layer.isGzip && layer.digest != diffID {
                throw VICError(.invalidArgument, "invalid diffID for layer \(index): expected \(diffID), got \(layer.digest)")
            }
            images.append((candidate, data, configuration, layers))
        }

        var addedLayers: [String] = []
        var addedBlobs: [String] = []
        do {
            var loaded: [LoadedImage] = []
            for (candidate, data, configuration, layers) in images {
                for (layer, diffID) in zip(layers, configuration.rootfs.diff_ids) where !store.hasLayer(diffID) {
                    let blob = layer.isGzip ? layer.digest : diffID
                    if !store.hasBlob(blob) {
                        guard rename(layer.path, store.blobPath(blob)) == 0 else { throw errnoError("store blob \(blob)") }
                        addedBlobs.append(blob)
                    }
                    try store.unpackLayer(blob: blob, mediaType: layer.isGzip ? MediaType.ociLayerGzip : MediaType.ociLayer,
                                          expectedDiffID: diffID)
                    addedLayers.append(diffID)
                }
                let id = ContentStore.digest(of: data)
                if !store.hasBlob(id) {
                    _ = try store.writeBlob(data)
                    addedBlobs.append(id)
                }
                let size = layers.reduce(Int64(0)) { $0 + $1.size }
                loaded.append(try record(id: id, configuration: configuration, size: size, tags: candidate.tags))
            }
            return loaded
        } catch {
            for diffID in addedLayers { store.removeLayer(diffID) }
            for blob in addedBlobs { unlink(store.blobPath(blob)) }
            throw error
        }
    }

    /// Writes (or extends) the record of image `id` and moves `tags` to it.
    func record(id: String, configuration: ImageConfiguration, size: Int64, tags: [String]) throws -> LoadedImage {
        var record = store.records().first { $0.id == id } ?? ImageRecord(
            id: id, repoTags: [], repoDigests: [], diffIDs: configuration.rootfs.diff_ids, size: size,
            created: ImagePuller.date(configuration.created), configuration: configuration)
        for tag in tags {
            for var other in store.records() where other.id != id && other.repoTags.contains(tag) {
                other.repoTags.removeAll { $0 == tag }
                try store.saveRecord(other)
            }
            if !record.repoTags.contains(tag) { record.repoTags.append(tag) }
        }
        try store.saveRecord(record)
        return LoadedImage(id: id, tags: tags)
    }

    /// The images of the archive: from `manifest.json` when present, else from `index.json`.
    func locate(_ staging: ArchiveStaging) throws -> [Candidate] {
        if staging.contains("manifest.json") {
            let entries: [ImageArchiveFormat.ManifestEntry]
            do { entries = try JSONDecoder().decode([ImageArchiveFormat.ManifestEntry].self, from: try staging.contents("manifest.json")) } catch {
                throw VICError.wrapping(error, "invalid archive: cannot read manifest.json", code: .invalidArgument)
            }
            return try entries.map { entry in
                Candidate(config: entry.Config, layers: entry.Layers, tags: try (entry.RepoTags ?? []).map(ImageArchiveLoader.familiarTag))
            }
        }
        guard staging.contains("index.json") else {
            throw VICError(.invalidArgument, "invalid archive: it has neither manifest.json nor index.json")
        }
        let index: ImageArchiveFormat.Index
        do { index = try JSONDecoder().decode(ImageArchiveFormat.Index.self, from: try staging.contents("index.json")) } catch {
            throw VICError.wrapping(error, "invalid archive: cannot read index.json", code: .invalidArgument)
        }
        var candidates: [Candidate] = []
        for descriptor in index.manifests {
            let manifest = try manifest(descriptor.digest, staging: staging)
            let tags = try ImageArchiveLoader.tag(annotations: descriptor.annotations ?? [:]).map { [$0] } ?? []
            let config = ImageArchiveFormat.blobPath(manifest.config.digest)
            let layers = manifest.layers.map { ImageArchiveFormat.blobPath($0.digest) }
            if let same = candidates.firstIndex(where: { $0.config == config }) {
                candidates[same].tags += tags.filter { !candidates[same].tags.contains($0) }
            } else {
                candidates.append(Candidate(config: config, layers: layers, tags: tags))
            }
        }
        return candidates
    }

    /// The image manifest at `digest`, choosing linux/`architecture` when it is an index.
    func manifest(_ digest: String, staging: ArchiveStaging, depth: Int = 0) throws -> ImageManifest {
        let data = try staging.contents(ImageArchiveFormat.blobPath(digest))
        struct Probe: Decodable { var manifests: [Descriptor]? }
        if depth < 2, let nested = try? JSONDecoder().decode(Probe.self, from: data), nested.manifests != nil {
            let index = try JSONDecoder().decode(ImageIndex.self, from: data)
            guard let chosen = index.select(architecture: architecture) ?? index.manifests.first else {
                throw VICError(.invalidArgument, "invalid archive: index \(digest) lists no manifest")
            }
            return try manifest(chosen.digest, staging: staging, depth: depth + 1)
        }
        do { return try JSONDecoder().decode(ImageManifest.self, from: data) } catch {
            throw VICError.wrapping(error, "invalid archive: cannot read manifest \(digest)", code: .invalidArgument)
        }
    }

    /// The image's name from OCI annotations: containerd's full name, else a reference name
    /// that is a whole reference (a bare tag names no repository).
    static func tag(annotations: [String: String]) throws -> String? {
        if let name = annotations[ImageArchiveFormat.imageNameAnnotation] { return try familiarTag(name) }
        if let name = annotations[ImageArchiveFormat.referenceAnnotation], name.contains(":") || name.contains("/") {
            return try familiarTag(name)
        }
        return nil
    }

    /// "busybox:latest" for "busybox", "docker.io/library/busybox:latest" and the like.
    static func familiarTag(_ text: String) throws -> String {
        let reference = try ImageReference(parsing: text)
        return "\(reference.familiarRepository):\(reference.tag ?? "latest")"
    }
}

/// An image archive copied out of its tar into the store's temporary space, not yet verified
/// or stored (`ImageService.stageArchive`, then `ImageService.load(staged:)`). Call `discard()`
/// once done with it, whatever happened.
public struct StagedArchive: Sendable {
    let staging: ArchiveStaging

    /// Removes the staged copy; what `load(staged:)` stored was moved out of it.
    public func discard() {
        try? FileManager.default.removeItem(atPath: staging.directory)
    }
}
