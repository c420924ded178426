import Foundation
import VICCore

/// The VCH's images: pulls, lookups by reference or ID, tags and removal. One actor serialises
/// changes to the content store.
public actor ImageService {
    /// The VCH's content store; readable without the actor.
    public let store: ContentStore
    let puller: ImagePuller
    /// The architecture of the VCH's containers: for imported images and OCI indexes.
    public let architecture: String

    /// Starts the service and deletes leftovers of interrupted pulls from the store's `tmp`.
    public init(store: ContentStore, client: RegistryClient, mirrors: [String], architecture: String) {
        self.store = store
        self.architecture = architecture
        puller = ImagePuller(client: client, store: store, mirrors: mirrors, architecture: architecture)
        store.sweepTemporaries()
    }

    /// Pulls `reference` into the store (see `ImagePuller.pull`): writes verified blobs, unpacked
    /// layers (root needed) and the image record, moving the tag onto it. `isNew` is false when the
    /// image was already stored under that tag. Needs network access to the registry or a mirror.
    public func pull(
        _ reference: ImageReference, credentials: RegistryCredentials? = nil, report: @Sendable (PullEvent) -> Void
    ) async throws -> (ImageRecord, isNew: Bool) {
        try await puller.pull(reference, credentials: credentials, report: report)
    }

    /// `docker login`: checks `credentials` against the registry at `server` (a domain or URL;
    /// Docker Hub's addresses mean docker.io). Nothing is kept. Throws `.unauthorized` when the
    /// registry refuses them. Needs network access to the registry.
    public func login(server: String, credentials: RegistryCredentials) async throws {
        try await puller.client.login(domain: RegistryCredentials.domain(ofServer: server), credentials: credentials)
    }

    /// Every stored image, newest first.
    public func list() -> [ImageRecord] { store.records() }

    /// A `docker images` filter whose `before` and `since` images are resolved now.
    public func listFilter(_ fields: [String: [String]], until: Date?) throws -> ImageListFilter {
        try ImageListFilter(fields, until: until) { try resolve($0) }
    }

    /// Finds an image by `name[:tag]`, `name@digest`, full or short ID ("sha256:…" or hex prefix).
    public func resolve(_ text: String) throws -> ImageRecord {
        let records = store.records()
        let hex = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
        if hex.count >= 3, hex.allSatisfy(\.isHexDigit) {
            let matches = records.filter { ContentStore.hex($0.id).hasPrefix(hex) }
            if matches.count == 1, let match = matches.first { return match }
        }
        if let reference = try? ImageReference(parsing: text) {
            if let digest = reference.digest {
                let wanted = "\(reference.familiarRepository)@\(digest)"
                if let match = records.first(where: { $0.repoDigests.contains(wanted) }) { return match }
            } else {
                let wanted = "\(reference.familiarRepository):\(reference.tag ?? "latest")"
                if let match = records.first(where: { $0.repoTags.contains(wanted) }) { return match }
            }
        }
        throw VICError(.notFound, "No such image: \(text)")
    }

    /// The unpacked layer directories of an image, bottom first.
    public func layerDirectories(of image: ImageRecord) throws -> [String] {
        try image.diffIDs.map { diffID in
            guard store.hasLayer(diffID) else { throw VICError(.notFound, "layer \(diffID) of \(image.id) is missing") }
            return store.layerPath(diffID)
        }
    }

    /// `docker tag`: adds the familiar `target` tag ("latest" if none) to the image `source`
    /// resolves to, taking it off any other image. Rewrites the affected records; `.notFound`
    /// for an unknown source, `.invalidArgument` for a bad target.
    public func tag(_ source: String, as target: String) throws {
        var image = try resolve(source)
        let reference = try ImageReference(parsing: target)
        let tag = "\(reference.familiarRepository):\(reference.tag ?? "latest")"
        for var other in store.records() where other.id != image.id && other.repoTags.contains(tag) {
            other.repoTags.removeAll { $0 == tag }
            try store.saveRecord(other)
        }
        if !image.repoTags.contains(tag) { image.repoTags.append(tag) }
        try store.saveRecord(image)
    }
}
