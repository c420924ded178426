import Foundation
import VICCore

/// A container that uses an image, as `docker rmi` needs to know it.
public struct ImageUser: Sendable, Equatable {
    /// The container's full ID.
    public var containerID: String
    /// Whether it is running: a running user blocks deletion even when forced.
    public var isRunning: Bool

    /// A user of an image, as the port layer reports it.
    public init(containerID: String, isRunning: Bool) {
        self.containerID = containerID
        self.isRunning = isRunning
    }
}

/// One line of `docker rmi`'s answer.
public struct ImageRemoval: Sendable, Equatable {
    /// A tag or digest reference that was removed ("busybox:latest").
    public var untagged: String?
    /// An image ID that was deleted, with its record and unused data.
    public var deleted: String?

    /// A line; exactly one of `untagged` and `deleted` is normally set.
    public init(untagged: String? = nil, deleted: String? = nil) {
        self.untagged = untagged
        self.deleted = deleted
    }
}

extension ImageService {
    /// `docker rmi`, with Docker's rules:
    ///
    /// - By reference (`busybox`, `busybox:1`, `busybox@sha256:…`): refused while a container
    ///   uses the image unless forced, and then only the reference goes (the container keeps its
    ///   image). Otherwise the reference goes, with the digests of its repository once no tag of
    ///   that repository is left, and the image with its last reference.
    /// - By ID: refused while a running container uses it (even forced), or a stopped one, or
    ///   when it has tags in several repositories, unless forced; then every reference and the
    ///   image go.
    ///
    /// Layers go with the last image that has them, except those of an image a container still
    /// uses (forced removal under a stopped container keeps its file system).
    public func remove(_ text: String, force: Bool, user: (String) -> ImageUser?) throws -> [ImageRemoval] {
        var image = try resolve(text)
        let short = ContentStore.hex(image.id).prefix(12)
        let using = user(image.id)
        var lines: [ImageRemoval] = []
        if !ImageService.isIDPrefix(text, of: image.id) {
            guard let reference = referenceMatching(text, in: image) else { throw VICError(.notFound, "No such image: \(text)") }
            if let using {
                guard force else {
                    throw VICError(.conflict, "conflict: unable to remove repository reference \"\(text)\" (must force) - container \(using.containerID.prefix(12)) is using its referenced image \(short)")
                }
                image.repoTags.removeAll { $0 == reference }
                image.repoDigests.removeAll { $0 == reference }
                try store.saveRecord(image)
                return [ImageRemoval(untagged: reference)]
            }
            image.repoTags.removeAll { $0 == reference }
            image.repoDigests.removeAll { $0 == reference }
            lines.append(ImageRemoval(untagged: reference))
            let repository = ImageService.repository(of: reference)
            if !reference.contains("@"), !image.repoTags.contains(where: { ImageService.repository(of: $0) == repository }) {
                for digest in image.repoDigests where ImageService.repository(of: digest) == repository {
                    lines.append(ImageRemoval(untagged: digest))
                }
                image.repoDigests.removeAll { ImageService.repository(of: $0) == repository }
            }
            if !image.repoTags.isEmpty || !image.repoDigests.isEmpty {
                try store.saveRecord(image)
                return lines
            }
        } else {
            if let using, using.isRunning {
                throw VICError(.conflict, "conflict: unable to delete \(short) (cannot be forced) - image is being used by running container \(using.containerID.prefix(12))")
            }
            if let using, !force {
                throw VICError(.conflict, "conflict: unable to delete \(short) (must be forced) - image is being used by stopped container \(using.containerID.prefix(12))")
            }
            let repositories = Set((image.repoTags + image.repoDigests).map(ImageService.repository))
            if repositories.count > 1 && !force {
                throw VICError(.conflict, "conflict: unable to delete \(short) (must be forced) - image is referenced in multiple repositories")
            }
            lines += (image.repoTags + image.repoDigests).map { ImageRemoval(untagged: $0) }
        }
        store.removeRecord(image.id)
        lines.append(ImageRemoval(deleted: image.id))
        if using == nil {
            for diffID in store.layersNoImageHas(image.diffIDs) { store.removeLayer(diffID) }
        }
        return lines
    }

    /// The tag or digest reference of `image` that `text` names.
    func referenceMatching(_ text: String, in image: ImageRecord) -> String? {
        guard let reference = try? ImageReference(parsing: text) else { return nil }
        if let digest = reference.digest {
            let wanted = "\(reference.familiarRepository)@\(digest)"
            return image.repoDigests.contains(wanted) ? wanted : nil
        }
        let wanted = "\(reference.familiarRepository):\(reference.tag ?? "latest")"
        return image.repoTags.contains(wanted) ? wanted : nil
    }

    /// Whether `text` is (a prefix of) the image ID, with or without "sha256:".
    static func isIDPrefix(_ text: String, of id: String) -> Bool {
        let hex = ContentStore.hex(text)
        return hex.count >= 3 && hex.allSatisfy(\.isHexDigit) && ContentStore.hex(id).hasPrefix(hex)
    }

    /// "busybox" for "busybox:latest", "busybox@sha256:…" and "10.0.0.9:5000/app:1" → "10.0.0.9:5000/app".
    static func repository(of reference: String) -> String {
        if let at = reference.firstIndex(of: "@") { return String(reference[..<at]) }
        if let colon = reference.lastIndex(of: ":"), !reference[colon...].contains("/") { return String(reference[..<colon]) }
        return reference
    }
}
