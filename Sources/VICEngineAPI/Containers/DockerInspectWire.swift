import Foundation
import VICImage

/// `GET /containers/{id}/json`.
struct DockerContainerInspect: Encodable, Sendable {
    var Id: String
    var Created: String
    var Path: String
    var Args: [String]
    var State: StateJSON
    var Image: String
    var ResolvConfPath: String
    var HostnamePath: String
    var HostsPath: String
    var LogPath: String
    var Name: String
    var RestartCount: Int
    var Driver: String
    var Platform: String
    var MountLabel: String
    var ProcessLabel: String
    var AppArmorProfile: String
    var HostConfig: HostConfigJSON
    var Mounts: [DockerMountPoint]
    var Config: ConfigJSON
    var NetworkSettings: NetworkSettingsJSON

    struct StateJSON: Encodable, Sendable {
        var Status: String
        var Running: Bool
        var Paused: Bool
        var Restarting: Bool
        var OOMKilled: Bool
        var Dead: Bool
        var Pid: Int32
        var ExitCode: Int
        var Error: String
        var StartedAt: String
        var FinishedAt: String
        var Health: HealthJSON?
    }

    /// `State.Health`.
    struct HealthJSON: Encodable, Sendable {
        struct Probe: Encodable, Sendable {
            var Start: String
            var End: String
            var ExitCode: Int
            var Output: String
        }

        var Status: String
        var FailingStreak: Int
        var Log: [Probe]
    }

    struct HostConfigJSON: Encodable, Sendable {
        var NetworkMode: String
        var AutoRemove: Bool
        var RestartPolicy: RestartJSON
        var Memory: Int64
        var NanoCpus: Int64
        var LogConfig: LogConfigJSON
        var PortBindings: [String: [DockerContainerCreate.PortBindingWire]]
        var PublishAllPorts: Bool
        var Dns: [String]
        var DnsSearch: [String]
        var ExtraHosts: [String]
        var Links: [String]?
        var CapAdd: [String]?
        var CapDrop: [String]?
        var ReadonlyRootfs: Bool
        var ShmSize: Int64
        var SecurityOpt: [String]?
        var Binds: [String]?
        var VolumesFrom: [String]?
        var PidsLimit: Int64?
        var CpuShares: Int64
        var CpusetCpus: String
        var CpusetMems: String
        var MemoryReservation: Int64
        var MemorySwap: Int64
        var Ulimits: [DockerContainerCreate.UlimitWire]?
        var Sysctls: [String: String]?
        var GroupAdd: [String]?
        var Init: Bool?
        var OomKillDisable: Bool?
    }

    struct RestartJSON: Encodable, Sendable { var Name: String; var MaximumRetryCount: Int }
    struct LogConfigJSON: Encodable, Sendable { var `Type`: String; var Config: [String: String] }

    struct ConfigJSON: Encodable, Sendable {
        var Hostname: String
        var Domainname: String
        var User: String
        var AttachStdin: Bool
        var AttachStdout: Bool
        var AttachStderr: Bool
        var ExposedPorts: [String: DockerContainerCreate.Empty]?
        var Tty: Bool
        var OpenStdin: Bool
        var StdinOnce: Bool
        var Env: [String]
        var Cmd: [String]
        var Image: String
        var Volumes: [String: DockerContainerCreate.Empty]?
        var WorkingDir: String
        var Entrypoint: ExplicitNull<[String]>
        var Labels: [String: String]
        var StopSignal: String?
        var StopTimeout: Int?
        var Healthcheck: ImageConfiguration.HealthConfig?
    }

    struct NetworkSettingsJSON: Encodable, Sendable {
        var Bridge: String
        var SandboxID: String
        var SandboxKey: String
        var Ports: [String: ExplicitNull<[DockerContainerCreate.PortBindingWire]>]
        var Gateway: String
        var IPAddress: String
        var IPPrefixLen: Int
        var MacAddress: String
        var Networks: [String: DockerEndpointSettings]
    }
}

/// A container's mount as inspect and `ps` show it: a volume, or a tmpfs.
struct DockerMountPoint: Encodable, Sendable {
    var `Type`: String
    var Name: String?
    var Source: String
    var Destination: String
    var Driver: String?
    var Mode: String
    var RW: Bool
    var Propagation: String
}

/// `GET /images/json` rows.
struct DockerImageSummary: Encodable, Sendable {
    var Id: String
    var ParentId: String
    var RepoTags: [String]
    var RepoDigests: [String]
    var Created: Int64
    var Size: Int64
    var SharedSize: Int64
    var Labels: [String: String]
    var Containers: Int
}

/// `GET /images/{name}/json`.
struct DockerImageInspect: Encodable, Sendable {
    var Id: String
    var RepoTags: [String]
    var RepoDigests: [String]
    var Parent: String
    var Comment: String
    var Created: String
    var DockerVersion: String
    var Author: String
    var Architecture: String
    var Os: String
    var Size: Int64
    var Config: Config
    var RootFS: RootFS

    struct Config: Encodable, Sendable {
        var Env: [String]
        var Cmd: ExplicitNull<[String]>
        var Entrypoint: ExplicitNull<[String]>
        var WorkingDir: String
        var User: String
        var Labels: [String: String]
    }

    struct RootFS: Encodable, Sendable { var `Type`: String; var Layers: [String] }
}
