import Foundation
import VICCore

extension ImageService {
    /// `docker image prune`: deletes the images no container uses that `include` accepts, only
    /// the dangling ones (no tag) unless `all`, each with its references and the layers no
    /// remaining image has. Returns the lines, untags before deletes as dockerd writes them, and
    /// the bytes freed on disk (unpacked layers and their blobs).
    public func prune(all: Bool, used: Set<String>, include: (ImageRecord) -> Bool) -> (removals: [ImageRemoval], reclaimed: Int64) {
        var removals: [ImageRemoval] = []
        var pruned: [ImageRecord] = []
        for image in store.records().sorted(by: { $0.created < $1.created })
        where !used.contains(image.id) && (all || image.repoTags.isEmpty) && include(image) {
            removals += (image.repoTags + image.repoDigests).map { ImageRemoval(untagged: $0) }
            store.removeRecord(image.id)
            removals.append(ImageRemoval(deleted: image.id))
            pruned.append(image)
        }
        var reclaimed: Int64 = 0
        for diffID in store.layersNoImageHas(pruned.flatMap(\.diffIDs)) {
            reclaimed += store.diskUsage(ofLayer: diffID)
            store.removeLayer(diffID)
        }
        return (removals, reclaimed)
    }
}
