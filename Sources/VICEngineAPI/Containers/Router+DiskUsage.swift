import Foundation
import NIOPosix
import VICCore
import VICImage
import VICPortLayer

extension Router {
    /// `docker system df [-v]`: images (with the containers using them and the bytes they share
    /// with other images), containers (the bytes each wrote), volumes (their bytes and users), no
    /// build cache (vic builds nothing), and the layers' total. Sizes are read off the disk on the thread pool.
    func diskUsage(_ context: RouteContext) async throws -> EngineResponse {
        let backend = try portLayer()
        let images = await backend.images.list()
        let containers = await backend.containers.list()
        let store = await backend.images.store
        let layers = Set(images.flatMap(\.diffIDs))
        let layerSizes = try await NIOThreadPool.singleton.runIfActive {
            Dictionary(uniqueKeysWithValues: layers.map { ($0, store.diskUsage(ofLayer: $0)) })
        }
        var users: [String: Int] = [:]  // images per layer
        for image in images {
            for layer in Set(image.diffIDs) { users[layer, default: 0] += 1 }
        }
        let summaries = images.map { image in
            var summary = ContainerWireMapping.imageSummary(image, containers: containers.filter { $0.imageID == image.id }.count)
            summary.Size = image.diffIDs.reduce(0) { $0 + (layerSizes[$1] ?? 0) }
            summary.SharedSize = image.diffIDs.filter { (users[$0] ?? 0) > 1 }.reduce(0) { $0 + (layerSizes[$1] ?? 0) }
            return summary
        }
        let sizes = try await containerSizes(containers, images: summaries)
        struct Usage: Encodable {
            var LayersSize: Int64
            var Images: [DockerImageSummary]
            var Containers: [DockerContainerSummary]
            var Volumes: [DockerVolume]
            var BuildCache: [String]
        }
        return .json(Usage(LayersSize: layerSizes.values.reduce(0, +), Images: summaries, Containers: sizes,
                           Volumes: try await volumeUsage(), BuildCache: []))
    }

    /// Container summaries with `SizeRw` and `SizeRootFs` (`docker ps -s`, `system df`): each
    /// container's own layer is walked, all of them in one trip to the thread pool.
    func containerSizes(_ records: [ContainerRecord], images: [DockerImageSummary]) async throws -> [DockerContainerSummary] {
        let imageSizes = Dictionary(images.map { ($0.Id, $0.Size) }, uniquingKeysWith: { first, _ in first })
        let layers = try portLayer().containers
        let written = try await NIOThreadPool.singleton.runIfActive {
            records.map { layers.writableLayer($0.id).upperSize() }
        }
        return zip(records, written).map { record, written in
            var summary = ContainerWireMapping.summary(record)
            summary.SizeRw = written
            summary.SizeRootFs = written + (imageSizes[record.imageID] ?? 0)
            return summary
        }
    }

    /// `docker builder prune` and the last step of `docker system prune`: vic builds nothing,
    /// so there is no build cache to free.
    func pruneBuildCache(_ context: RouteContext) async throws -> EngineResponse {
        struct Report: Encodable { var CachesDeleted: [String]; var SpaceReclaimed: Int64 }
        return .json(Report(CachesDeleted: [], SpaceReclaimed: 0))
    }
}
