import Foundation
import VICCore
import VICPortLayer
import VICRuntime

extension Router {
    /// `docker update [--restart] [-m] [--cpus]`: `POST /containers/{id}/update`. A zero or
    /// missing field leaves the setting alone, as in dockerd; the resources vic does not manage
    /// are refused by name rather than ignored.
    func updateContainer(_ context: RouteContext) async throws -> EngineResponse {
        let body = try decodeBody(DockerContainerUpdate.self, context.request)
        let update = try body.update()
        try await portLayer().containers.update(try containerID(context), update)
        struct Answer: Encodable { var Warnings: [String] }
        return .json(Answer(Warnings: []))
    }
}

/// The body of `POST /containers/{id}/update` (Docker's UpdateConfig), the fields vic reads.
struct DockerContainerUpdate: Decodable, DockerResources {
    var RestartPolicy: DockerContainerCreate.Restart?
    var Memory: Int64?
    var NanoCpus: Int64?
    var CpuQuota: Int64?
    var CpuPeriod: Int64?
    var MemorySwap: Int64?
    var MemoryReservation: Int64?
    var CpuShares: Int64?
    var BlkioWeight: Int64?
    var PidsLimit: Int64?
    var CpusetCpus: String?
    var CpusetMems: String?

    func update() throws -> ContainerUpdate {
        if let flag = unmanagedFlags.first {
            throw VICError(.invalidArgument, "vic does not update \(flag); it updates --restart, --memory, --cpus, --pids-limit, --cpu-shares, --cpuset-cpus, --cpuset-mems, --memory-reservation and --memory-swap")
        }
        var update = ContainerUpdate()
        if let policy = RestartPolicy, !(policy.Name ?? "").isEmpty {
            update.restartPolicy = try ContainerRequestMapping.restartPolicy(policy)
        }
        update.memoryBytes = try memoryLimit()
        update.nanoCPUs = nanoCPUs
        update.limits = try cgroupLimits(forUpdate: true, onlineCPUs: CgroupLimits.onlineCPUs, onlineNodes: CgroupLimits.onlineNodes)
        return update
    }
}
