import Foundation
import VICImage

/// `POST /containers/create` body: the parts of Docker's ContainerConfig + HostConfig +
/// NetworkingConfig that vic reads. Unknown fields are ignored, as Docker does.
struct DockerContainerCreate: Decodable, Sendable {
    var Hostname: String?
    var Domainname: String?
    var User: String?
    var AttachStdin: Bool?
    var AttachStdout: Bool?
    var AttachStderr: Bool?
    var ExposedPorts: [String: Empty]?
    var Tty: Bool?
    var OpenStdin: Bool?
    var StdinOnce: Bool?
    var Env: [String]?
    var Cmd: StringOrArray?
    var Entrypoint: StringOrArray?
    var Image: String?
    var Labels: [String: String]?
    var WorkingDir: String?
    var StopSignal: String?
    var MacAddress: String?
    /// `-v /path`: anonymous volumes (refused: vic has no volumes yet).
    var Volumes: [String: Empty]?
    /// `--stop-timeout`.
    var StopTimeout: Int?
    /// `--health-cmd` and friends (refused: no health checks yet).
    var Healthcheck: ImageConfiguration.HealthConfig?
    var HostConfig: Host?
    var NetworkingConfig: Networking?

    struct Host: Decodable, Sendable {
        var AutoRemove: Bool?
        var NetworkMode: String?
        var RestartPolicy: Restart?
        var Memory: Int64?
        var NanoCpus: Int64?
        var CpuQuota: Int64?
        var CpuPeriod: Int64?
        /// `{"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}`; a null list is allowed.
        var PortBindings: [String: [PortBindingWire]?]?
        var PublishAllPorts: Bool?
        var Dns: [String]?
        var DnsSearch: [String]?
        var ExtraHosts: [String]?
        var Links: [String]?
        /// `-v name:/path`, `-v /host:/path`, `--mount`, `--tmpfs`, `--volumes-from` (refused: no
        /// volumes yet).
        var Binds: [String]?
        var Mounts: [MountWire]?
        var Tmpfs: [String: String]?
        var VolumesFrom: [String]?
        var CapAdd: [String]?
        var CapDrop: [String]?
        var ReadonlyRootfs: Bool?
        var ShmSize: Int64?
        var SecurityOpt: [String]?
        // Refused when set (`ContainerRequestMapping.refuseUnsupported`).
        var Privileged: Bool?
        var Devices: [Opaque]?
        var DeviceRequests: [Opaque]?
        var Init: Bool?
        var PidMode: String?
        var IpcMode: String?
        var UTSMode: String?
        var UsernsMode: String?
        var Sysctls: [String: String]?
        var Ulimits: [UlimitWire]?
        var LogConfig: LogConfigWire?
        var GroupAdd: [String]?
        var PidsLimit: Int64?
        var OomKillDisable: Bool?
        var MemorySwap: Int64?
        var MemoryReservation: Int64?
        var CpuShares: Int64?
        var CpusetCpus: String?
        var CpusetMems: String?
        var BlkioWeight: Int64?
    }

    /// An object whose fields vic does not read: only whether there is one matters.
    struct Opaque: Decodable, Sendable {}

    /// `--ulimit NAME=SOFT[:HARD]`.
    struct UlimitWire: Codable, Sendable {
        var Name: String?
        var Soft: Int64?
        var Hard: Int64?
    }

    struct LogConfigWire: Decodable, Sendable {
        var `Type`: String?
    }

    /// `--mount`: HostConfig.Mounts entries.
    struct MountWire: Decodable, Sendable {
        struct VolumeOptions: Decodable, Sendable {
            struct DriverConfig: Decodable, Sendable {
                var Name: String?
                var Options: [String: String]?
            }

            var NoCopy: Bool?
            var Labels: [String: String]?
            var DriverConfig: DriverConfig?
            var Subpath: String?
        }

        struct TmpfsOptions: Decodable, Sendable {
            var SizeBytes: Int64?
            var Mode: UInt32?
            var Options: [[String]]?
        }

        var `Type`: String?
        var Source: String?
        var Target: String?
        var ReadOnly: Bool?
        var Consistency: String?
        var BindOptions: DockerContainerCreate.Empty?
        var VolumeOptions: VolumeOptions?
        var TmpfsOptions: TmpfsOptions?
    }

    struct PortBindingWire: Codable, Sendable {
        var HostIp: String?
        var HostPort: String?
    }

    struct Networking: Decodable, Sendable {
        var EndpointsConfig: [String: EndpointConfig?]?
    }

    struct EndpointConfig: Decodable, Sendable {
        var IPAMConfig: IPAM?
        var Links: [String]?
        var Aliases: [String]?
        var MacAddress: String?
    }

    struct IPAM: Decodable, Sendable {
        var IPv4Address: String?
        var IPv6Address: String?
    }

    struct Restart: Decodable, Sendable {
        var Name: String?
        var MaximumRetryCount: Int?
    }

    struct Empty: Codable, Sendable {}
}

/// Docker accepts `"Cmd": "sh"` as well as `"Cmd": ["sh"]`; null means unset.
enum StringOrArray: Decodable, Sendable {
    case list([String])

    var values: [String] { if case .list(let values) = self { return values } else { return [] } }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let list = try? container.decode([String].self) {
            self = .list(list)
        } else {
            self = .list([try container.decode(String.self)])
        }
    }
}

/// A `docker ps` row.
struct DockerContainerSummary: Encodable, Sendable {
    var Id: String
    var Names: [String]
    var Image: String
    var ImageID: String
    var Command: String
    var Created: Int64
    var Ports: [Port]
    var Labels: [String: String]
    var State: String
    var Status: String
    var HostConfig: [String: String]
    var NetworkSettings: Networks
    var Mounts: [DockerMountPoint]
    /// With `size=true` (`docker ps -s`, `system df`): bytes the container wrote, and those
    /// plus its image's.
    var SizeRw: Int64?
    var SizeRootFs: Int64?

    struct Port: Encodable, Sendable {
        var IP: String?
        var PrivatePort: Int
        var PublicPort: Int?
        var `Type`: String
    }

    struct Networks: Encodable, Sendable {
        var Networks: [String: DockerEndpointSettings]
    }
}

/// One network of a container, as inspect and ps show it.
struct DockerEndpointSettings: Encodable, Sendable {
    var IPAMConfig: ExplicitNull<String>
    var Links: [String]?
    var Aliases: [String]?
    var MacAddress: String
    var NetworkID: String
    var EndpointID: String
    var Gateway: String
    var IPAddress: String
    var IPPrefixLen: Int
    var IPv6Gateway: String
    var GlobalIPv6Address: String
    var GlobalIPv6PrefixLen: Int
    var DNSNames: [String]?
}

/// A line of `docker pull` progress (`application/json` stream of JSON messages).
struct DockerProgressMessage: Encodable, Sendable {
    var status: String?
    var id: String?
    var progress: String?
    var progressDetail: Detail?
    var error: String?
    var errorDetail: ErrorDetail?

    struct Detail: Encodable, Sendable {
        var current: Int64?
        var total: Int64?
    }

    struct ErrorDetail: Encodable, Sendable { var message: String }
}
