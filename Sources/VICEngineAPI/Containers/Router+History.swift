import Foundation
import VICCore
import VICImage
import VICSystem

extension Router {
    /// `docker image history`: the configuration's history, newest first. The newest entry has
    /// the image's ID and tags, older ones `<missing>` as with a pulled image in Docker; a
    /// layer's size is what it holds unpacked.
    func imageHistory(_ context: RouteContext) async throws -> EngineResponse {
        let images = try portLayer().images
        let image = try await images.resolve(try imageName(context))
        let store = await images.store
        let rows = ImageHistory.rows(image) { diffID in FileSystem.regularFileBytes(under: store.layerPath(diffID)) }
        return .json(rows)
    }
}

/// Docker's HistoryResponseItem.
struct DockerHistoryItem: Encodable, Equatable {
    var Id: String
    var Created: Int64
    var CreatedBy: String
    var Tags: ExplicitNull<[String]>
    var Size: Int64
    var Comment: String

    static func == (lhs: DockerHistoryItem, rhs: DockerHistoryItem) -> Bool {
        lhs.Id == rhs.Id && lhs.Created == rhs.Created && lhs.CreatedBy == rhs.CreatedBy && lhs.Tags.value == rhs.Tags.value
            && lhs.Size == rhs.Size && lhs.Comment == rhs.Comment
    }
}

enum ImageHistory {
    /// History entries newest first, each non-empty one matched to its layer, from the top.
    static func rows(_ image: ImageRecord, size: (String) -> Int64) -> [DockerHistoryItem] {
        let formatter = ISO8601DateFormatter()
        func seconds(_ text: String?) -> Int64 {
            guard let text else { return 0 }
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.date(from: text).map { Int64($0.timeIntervalSince1970) } ?? 0
        }
        typealias Entry = (created: String?, created_by: String?, empty_layer: Bool?, comment: String?)
        var entries: [Entry] = (image.configuration.history ?? []).map { ($0.created, $0.created_by, $0.empty_layer, $0.comment) }
        if entries.isEmpty {
            entries = image.diffIDs.map { _ in (image.configuration.created, nil, nil, nil) }
        }
        var layer = image.diffIDs.count
        var rows: [DockerHistoryItem] = []
        for (index, entry) in entries.enumerated().reversed() {
            var bytes: Int64 = 0
            if entry.empty_layer != true, layer > 0 {
                layer -= 1
                bytes = size(image.diffIDs[layer])
            }
            let newest = index == entries.count - 1
            rows.append(DockerHistoryItem(
                Id: newest ? image.id : "<missing>", Created: seconds(entry.created), CreatedBy: entry.created_by ?? "",
                Tags: ExplicitNull(newest && !image.repoTags.isEmpty ? image.repoTags : nil), Size: bytes,
                Comment: entry.comment ?? ""))
        }
        return rows
    }
}
