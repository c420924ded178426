import Foundation
import VICCore
import VICImage
import VICRuntime

/// What `docker commit` was asked for, beside the container.
public struct CommitRequest: Sendable {
    /// `repo[:tag]`; nil for an untagged image.
    public var tag: String?
    /// Fields of the request's body that override the container's configuration.
    public var overrides: ImageConfiguration.RunConfig?
    /// `--change` Dockerfile instructions.
    public var changes: [String]
    public var comment: String?
    public var author: String?

    public init(tag: String?, overrides: ImageConfiguration.RunConfig?, changes: [String], comment: String?, author: String?) {
        self.tag = tag
        self.overrides = overrides
        self.changes = changes
        self.comment = comment
        self.author = author
    }
}

extension ContainerManager {
    /// `docker commit`: a new image of the container's image and, on top, one layer of what the
    /// container changed (its upper directory, whiteouts as the layer format has them, without
    /// the runtime's mount points for the bound /etc files). Its configuration is the
    /// container's, merged with the request's as dockerd merges them, then `changes`. The
    /// container is not paused: a running one's files are read as they are. Throws `.notFound`
    /// for an unknown container or one whose image is gone, `.invalidArgument` for a bad tag or
    /// change. Privilege: reads the container's directory.
    public func commit(_ reference: String, _ request: CommitRequest) async throws -> ImageRecord {
        let record = try record(reference)
        let parent = try await images.resolve(record.imageID)
        let rootfs = try await rootFilesystem(of: record, image: parent)
        let layer = await images.store.temporaryPath()
        defer { unlink(layer) }
        try await rootfs.writeLayer(to: layer, excluding: OCISpec.boundEtcPaths)
        let config = Self.commitConfig(record.config, image: parent.configuration.config, overrides: request.overrides)
        let createdBy = (record.config.entrypoint + record.config.cmd).joined(separator: " ")
        let image = try await images.commit(layer: layer, parent: parent, CommitOptions(
            tag: request.tag, config: config, changes: request.changes, comment: request.comment,
            author: request.author, createdBy: createdBy.isEmpty ? nil : createdBy))
        emit("commit", record, ["comment": request.comment ?? "", "imageID": image.id, "imageRef": request.tag ?? ""])
        return image
    }

    /// The committed image's run configuration: the container's (its image's volumes kept),
    /// with dockerd's merge of the request's: a user, command, entrypoint, working directory or
    /// stop signal given replaces the container's; environment entries replace theirs by key;
    /// labels by key; exposed ports are added. An entrypoint given without a command clears the
    /// command, as a Dockerfile's ENTRYPOINT does.
    static func commitConfig(
        _ container: ContainerConfig, image: ImageConfiguration.RunConfig?, overrides: ImageConfiguration.RunConfig?
    ) -> ImageConfiguration.RunConfig {
        var config = image ?? ImageConfiguration.RunConfig.empty
        config.User = container.user.isEmpty ? nil : container.user
        config.Env = container.env
        config.Entrypoint = container.entrypoint.isEmpty ? nil : container.entrypoint
        config.Cmd = container.cmd.isEmpty ? nil : container.cmd
        config.WorkingDir = container.workingDir.isEmpty ? nil : container.workingDir
        config.ExposedPorts = container.exposedPorts.isEmpty
            ? nil : Dictionary(uniqueKeysWithValues: container.exposedPorts.map { ($0, ImageConfiguration.Empty()) })
        config.Labels = container.labels.isEmpty ? nil : container.labels
        config.StopSignal = container.stopSignal
        config.Healthcheck = container.healthcheck ?? config.Healthcheck
        guard let overrides else { return config }
        if let user = overrides.User, !user.isEmpty { config.User = user }
        if let entrypoint = overrides.Entrypoint, !entrypoint.isEmpty {
            config.Entrypoint = entrypoint
            config.Cmd = overrides.Cmd.flatMap { $0.isEmpty ? nil : $0 }
        } else if let cmd = overrides.Cmd, !cmd.isEmpty {
            config.Cmd = cmd
        }
        if let directory = overrides.WorkingDir, !directory.isEmpty { config.WorkingDir = directory }
        if let signal = overrides.StopSignal, !signal.isEmpty { config.StopSignal = signal }
        for entry in overrides.Env ?? [] {
            let key = entry.split(separator: "=", maxSplits: 1).first.map(String.init) ?? entry
            config.Env = (config.Env ?? []).filter { ($0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? $0) != key } + [entry]
        }
        for (key, value) in overrides.Labels ?? [:] { config.Labels = (config.Labels ?? [:]).merging([key: value]) { $1 } }
        for (port, empty) in overrides.ExposedPorts ?? [:] { config.ExposedPorts = (config.ExposedPorts ?? [:]).merging([port: empty]) { $1 } }
        if let volumes = overrides.Volumes, !volumes.isEmpty { config.Volumes = volumes }
        return config
    }
}
