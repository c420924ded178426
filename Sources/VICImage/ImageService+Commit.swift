import Foundation
import VICCore
import VICSystem

/// What `docker commit` records about the new image, beside its layer.
public struct CommitOptions: Sendable {
    /// `repo[:tag]` for the image; nil leaves it untagged.
    public var tag: String?
    /// The run configuration: the container's, with the request's overrides and `changes`.
    public var config: ImageConfiguration.RunConfig
    /// Dockerfile instructions applied to `config` (`--change`).
    public var changes: [String]
    public var comment: String?
    public var author: String?
    /// The container's command, for `docker history`'s CREATED BY.
    public var createdBy: String?

    public init(tag: String?, config: ImageConfiguration.RunConfig, changes: [String],
                comment: String?, author: String?, createdBy: String?) {
        self.tag = tag
        self.config = config
        self.changes = changes
        self.comment = comment
        self.author = author
        self.createdBy = createdBy
    }
}

extension ImageService {
    /// `docker commit`: a new image of `parent`'s layers and the plain tar at `layer` on top
    /// (`RootFilesystem.writeLayer`), which is moved into the store as the layer's blob. The
    /// tag, when given, moves from any image that had it. Throws `.invalidArgument` for a bad
    /// tag or change before anything is stored; a failed unpack removes the layer.
    public func commit(layer: String, parent: ImageRecord, _ options: CommitOptions) throws -> ImageRecord {
        let tag = try options.tag.map(ImageArchiveLoader.familiarTag)
        var config = options.config
        try ImageChanges.apply(options.changes, to: &config)
        let diffID = try ContentStore.sha256(ofFile: layer)
        let size = ContentStore.fileSize(layer) ?? 0
        do { try store.addPlainLayer(from: layer, diffID: diffID) } catch {
            throw VICError.wrapping(error, "commit: the container's layer could not be stored")
        }

        let created = ImageImporter.timestamp(Date())
        var configuration = parent.configuration
        configuration.created = created
        configuration.author = options.author.flatMap { $0.isEmpty ? nil : $0 }
        configuration.config = config
        configuration.rootfs.diff_ids = parent.diffIDs + [diffID]
        configuration.history = (parent.configuration.history ?? []) + [
            .init(created: created, created_by: options.createdBy, empty_layer: nil,
                  comment: options.comment.flatMap { $0.isEmpty ? nil : $0 }),
        ]
        let id = try store.writeBlob(Data(try ImageArchiveFormat.encode(configuration)))
        let loaded = try ImageArchiveLoader(store: store, architecture: architecture)
            .record(id: id, configuration: configuration, size: parent.size + size, tags: tag.map { [$0] } ?? [])
        guard let record = store.records().first(where: { $0.id == loaded.id }) else {
            throw VICError(.internal, "commit: the record of \(id) was not written")
        }
        return record
    }
}
