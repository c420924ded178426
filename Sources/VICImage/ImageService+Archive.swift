import Foundation
import VICCore

extension ImageService {
    /// Plans `docker save NAME…`. A name with no tag or digest (`busybox`) saves every tag of
    /// that repository; a tag saves that tag; an ID saves the image with no names, as Docker
    /// does. An image named several times is written once, with all its names.
    ///
    /// - Throws: `.notFound` for a name that resolves to no image, or an image whose layer tars
    ///   are gone.
    public func archivePlan(for names: [String]) throws -> ImageArchivePlan {
        guard !names.isEmpty else { throw VICError(.invalidArgument, "no image names given") }
        var selections: [ImageArchivePlan.Selection] = []
        func add(_ image: ImageRecord, _ tags: [String]) {
            if let index = selections.firstIndex(where: { $0.image.id == image.id }) {
                selections[index].tags += tags.filter { !selections[index].tags.contains($0) }
            } else {
                selections.append(.init(image: image, tags: tags))
            }
        }
        for name in names {
            if ImageService.isNameOnly(name), let reference = try? ImageReference(parsing: name) {
                let prefix = reference.familiarRepository + ":"
                let tagged = store.records().filter { $0.repoTags.contains { $0.hasPrefix(prefix) } }
                if !tagged.isEmpty {
                    for image in tagged { add(image, image.repoTags.filter { $0.hasPrefix(prefix) }) }
                    continue
                }
            }
            let image = try resolve(name)
            add(image, referenceMatching(name, in: image).map { $0.contains("@") ? [] : [$0] } ?? [])
        }
        return try ImageArchivePlan(selections, store: store)
    }

    /// `docker load`: every image of the archive in `source` (Docker's or an OCI layout),
    /// verified, then stored. Nothing is stored when any part is bad.
    public func load(_ source: sending some ByteSource) throws -> [LoadedImage] {
        try ImageArchiveLoader(store: store, architecture: architecture).load(source)
    }

    /// The first half of `load`, outside the service: copies the archive's members out of
    /// `source` (a slow upload, say) without holding the service. Throws `.invalidArgument`
    /// for a malformed archive, leaving nothing behind.
    public nonisolated func stageArchive(_ source: some ByteSource) throws -> StagedArchive {
        try ImageArchiveLoader.stage(source, store: store)
    }

    /// The second half: verifies the staged archive and stores its images (nothing when any
    /// part is bad). The caller still discards `staged`.
    public func load(staged: StagedArchive) throws -> [LoadedImage] {
        try ImageArchiveLoader(store: store, architecture: architecture).load(staged.staging)
    }

    /// Throws `.invalidArgument` for a tag or `--change` an import would refuse, before any of
    /// the tarball is read.
    public nonisolated static func validateImport(tag: String?, changes: [String]) throws {
        try ImageImporter.validate(tag: tag, changes: changes)
    }

    /// The first half of `importImage`, outside the service: the tarball in `source` inflated
    /// and hashed into the store's temporary space. Throws for bzip2, xz or zstd.
    public nonisolated func stageLayer(_ source: some ByteSource) throws -> StagedLayer {
        try ImageImporter.stage(source, store: store)
    }

    /// The second half: the staged tarball stored as the one layer of a new image. The caller
    /// still discards `staged`.
    public func importImage(staged: StagedLayer, tag: String?, changes: [String], message: String?) throws -> ImageRecord {
        try ImageImporter(store: store, architecture: architecture).importImage(staged, .init(
            tag: tag, changes: changes, message: message.flatMap { $0.isEmpty ? nil : $0 } ?? "Imported from -",
            created: Date()))
    }

    /// `docker import`: a one-layer image from the root file system tarball in `source`,
    /// tagged `tag` when given, its run configuration set by `changes`.
    public func importImage(
        _ source: sending some ByteSource, tag: String?, changes: [String], message: String?
    ) throws -> ImageRecord {
        try ImageImporter(store: store, architecture: architecture).importImage(source, .init(
            tag: tag, changes: changes, message: message.flatMap { $0.isEmpty ? nil : $0 } ?? "Imported from -",
            created: Date()))
    }

    /// Whether `text` names a repository without tag or digest ("busybox", "10.0.0.9:5000/app").
    static func isNameOnly(_ text: String) -> Bool {
        guard !text.contains("@") else { return false }
        return !(text.split(separator: "/").last ?? Substring(text)).contains(":")
    }
}
