import Foundation
import VICCore

/// The VCH's images: pulls, lookups by reference or ID, tags and removal. One actor serialises
/// changes to the content store.
public actor ImageService {
    public let store: ContentStore
    let puller: ImagePuller

    public init(store: ContentStore, client: RegistryClient, mirrors: [String], architecture: String) {
        self.store = store
        puller = ImagePuller(client: client, store: store, mirrors: mirrors, architecture: architecture)
        store.sweepTemporaries()
    }

    public func pull(_ reference: ImageReference, report: @Sendable (PullEvent) -> Void) async throws -> (ImageRecord, isNew: Bool) {
        try await puller.pull(reference, report: report)
    }

    public func list() -> [ImageRecord] { store.records() }

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

    /// Removes a tag, or the whole image when `text` is an ID or its last tag. `inUse` tells
    /// whether a container uses the image. Returns Docker's untagged/deleted lines.
    public func remove(_ text: String, force: Bool, inUse: (String) -> Bool) throws -> [(untagged: String?, deleted: String?)] {
        var image = try resolve(text)
        var result: [(String?, String?)] = []
        let byTag = image.repoTags.first { tagMatches($0, text) }
        if let byTag, image.repoTags.count > 1 {
            image.repoTags.removeAll { $0 == byTag }
            try store.saveRecord(image)
            return [(byTag, nil)]
        }
        if inUse(image.id) && !force {
            throw VICError(.conflict, "conflict: unable to remove repository reference \"\(text)\" (must force) - container is using its referenced image \(ContentStore.hex(image.id).prefix(12))")
        }
        for tag in image.repoTags { result.append((tag, nil)) }
        for digest in image.repoDigests { result.append((digest, nil)) }
        store.removeRecord(image.id)
        result.append((nil, image.id))
        // Layers stay while another image shares them.
        let kept = Set(store.records().flatMap(\.diffIDs))
        for diffID in image.diffIDs where !kept.contains(diffID) {
            try? FileManager.default.removeItem(atPath: store.layerPath(diffID))
        }
        return result
    }

    func tagMatches(_ tag: String, _ text: String) -> Bool {
        guard let reference = try? ImageReference(parsing: text), reference.digest == nil else { return false }
        return tag == "\(reference.familiarRepository):\(reference.tag ?? "latest")"
    }
}
