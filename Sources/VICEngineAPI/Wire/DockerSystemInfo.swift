import Foundation
import VICCore

/// Docker's `SystemInfo` (`GET /info`), filled so that `docker info` prints cleanly.
///
/// When `Warnings` is empty the CLI falls back to its own checks and prints a `WARNING:` line
/// for every cgroup or forwarding capability reported false, so those are all true: crun with
/// cgroup v2 supports them, and the VCH forwards and filters bridge traffic.
struct DockerSystemInfo: Encodable, Sendable {
    struct Plugins: Encodable, Sendable {
        var volume: [String]
        var network: [String]
        var authorization = ExplicitNull<[String]>(nil)
        var log: [String]

        enum CodingKeys: String, CodingKey {
            case volume = "Volume", network = "Network", authorization = "Authorization", log = "Log"
        }
    }

    struct IndexInfo: Encodable, Sendable {
        var name: String
        var mirrors: [String]
        var secure: Bool
        var official: Bool

        enum CodingKeys: String, CodingKey {
            case name = "Name", mirrors = "Mirrors", secure = "Secure", official = "Official"
        }
    }

    struct RegistryConfig: Encodable, Sendable {
        var allowNondistributableArtifactsCIDRs: [String] = []
        var allowNondistributableArtifactsHostnames: [String] = []
        var insecureRegistryCIDRs: [String]
        var indexConfigs: [String: IndexInfo]
        var mirrors: [String]

        enum CodingKeys: String, CodingKey {
            case allowNondistributableArtifactsCIDRs = "AllowNondistributableArtifactsCIDRs"
            case allowNondistributableArtifactsHostnames = "AllowNondistributableArtifactsHostnames"
            case insecureRegistryCIDRs = "InsecureRegistryCIDRs", indexConfigs = "IndexConfigs", mirrors = "Mirrors"
        }
    }

    struct Runtime: Encodable, Sendable {
        var path: String
    }

    struct Swarm: Encodable, Sendable {
        var nodeID = ""
        var nodeAddr = ""
        var localNodeState = "inactive"
        var controlAvailable = false
        var error = ""
        var remoteManagers = ExplicitNull<[String]>(nil)

        enum CodingKeys: String, CodingKey {
            case nodeID = "NodeID", nodeAddr = "NodeAddr", localNodeState = "LocalNodeState"
            case controlAvailable = "ControlAvailable", error = "Error", remoteManagers = "RemoteManagers"
        }
    }

    struct Commit: Encodable, Sendable {
        var id: String
        var expected: String

        enum CodingKeys: String, CodingKey { case id = "ID", expected = "Expected" }
    }

    var id: String
    var containers: Int
    var containersRunning: Int
    var containersPaused: Int
    var containersStopped: Int
    var images: Int
    var driver: String
    var driverStatus: [[String]]
    var plugins: Plugins
    var memoryLimit = true
    var swapLimit = true
    var cpuCfsPeriod = true
    var cpuCfsQuota = true
    var cpuShares = true
    var cpuSet = true
    var pidsLimit = true
    var oomKillDisable = false
    var ipv4Forwarding = true
    var bridgeNfIptables = true
    var bridgeNfIp6tables = true
    var debug = false
    var nFd = 0
    var nGoroutines = 0
    var systemTime: String
    var loggingDriver: String
    var cgroupDriver: String
    var cgroupVersion: String
    var nEventsListener = 0
    var kernelVersion: String
    var operatingSystem: String
    var osVersion: String
    var osType: String
    var architecture: String
    var indexServerAddress: String
    var registryConfig: RegistryConfig
    var ncpu: Int
    var memTotal: Int64
    var genericResources = ExplicitNull<[String]>(nil)
    var dockerRootDir: String
    var httpProxy = ""
    var httpsProxy = ""
    var noProxy = ""
    var name: String
    var labels: [String]
    var experimentalBuild = false
    var serverVersion: String
    var runtimes: [String: Runtime]
    var defaultRuntime: String
    var swarm = Swarm()
    var liveRestoreEnabled: Bool
    var isolation = ""
    var initBinary = ""
    var containerdCommit = Commit(id: "N/A", expected: "")
    var runcCommit = Commit(id: "N/A", expected: "")
    var initCommit = Commit(id: "N/A", expected: "")
    var securityOptions: [String]
    var warnings: [String]
    var cdiSpecDirs: [String] = []

    enum CodingKeys: String, CodingKey {
        case id = "ID", containers = "Containers", containersRunning = "ContainersRunning"
        case containersPaused = "ContainersPaused", containersStopped = "ContainersStopped", images = "Images"
        case driver = "Driver", driverStatus = "DriverStatus", plugins = "Plugins", memoryLimit = "MemoryLimit"
        case swapLimit = "SwapLimit", cpuCfsPeriod = "CpuCfsPeriod", cpuCfsQuota = "CpuCfsQuota"
        case cpuShares = "CPUShares", cpuSet = "CPUSet", pidsLimit = "PidsLimit", oomKillDisable = "OomKillDisable"
        case ipv4Forwarding = "IPv4Forwarding", bridgeNfIptables = "BridgeNfIptables"
        case bridgeNfIp6tables = "BridgeNfIp6tables", debug = "Debug", nFd = "NFd", nGoroutines = "NGoroutines"
        case systemTime = "SystemTime", loggingDriver = "LoggingDriver", cgroupDriver = "CgroupDriver"
        case cgroupVersion = "CgroupVersion", nEventsListener = "NEventsListener", kernelVersion = "KernelVersion"
        case operatingSystem = "OperatingSystem", osVersion = "OSVersion", osType = "OSType"
        case architecture = "Architecture", indexServerAddress = "IndexServerAddress"
        case registryConfig = "RegistryConfig", ncpu = "NCPU", memTotal = "MemTotal"
        case genericResources = "GenericResources", dockerRootDir = "DockerRootDir", httpProxy = "HttpProxy"
        case httpsProxy = "HttpsProxy", noProxy = "NoProxy", name = "Name", labels = "Labels"
        case experimentalBuild = "ExperimentalBuild", serverVersion = "ServerVersion", runtimes = "Runtimes"
        case defaultRuntime = "DefaultRuntime", swarm = "Swarm", liveRestoreEnabled = "LiveRestoreEnabled"
        case isolation = "Isolation", initBinary = "InitBinary", containerdCommit = "ContainerdCommit"
        case runcCommit = "RuncCommit", initCommit = "InitCommit", securityOptions = "SecurityOptions"
        case warnings = "Warnings", cdiSpecDirs = "CDISpecDirs"
    }

    init(_ info: SystemInfo, build: EngineBuild, now: Date) {
        id = info.id
        containers = info.containers.total
        containersRunning = info.containers.running
        containersPaused = info.containers.paused
        containersStopped = info.containers.stopped
        images = info.images
        driver = info.storageDriver
        driverStatus = info.storageDriverStatus.map { [$0.name, $0.value] }
        plugins = Plugins(volume: info.volumeDrivers, network: info.networkDrivers, log: info.logDrivers)
        systemTime = RFC3339.nano(now)
        loggingDriver = info.logDriver
        cgroupDriver = info.cgroupDriver
        cgroupVersion = info.cgroupVersion
        kernelVersion = info.kernelVersion
        operatingSystem = info.operatingSystem
        osVersion = info.osVersion
        osType = info.osType
        architecture = info.architecture
        indexServerAddress = info.registry.indexServerAddress
        registryConfig = Self.registryConfig(info.registry)
        ncpu = info.cpus
        memTotal = info.memoryBytes
        dockerRootDir = info.rootDirectory
        name = info.name
        labels = info.labels
        serverVersion = info.serverVersion.isEmpty ? build.version : info.serverVersion
        runtimes = info.runtimes.mapValues { Runtime(path: $0) }
        defaultRuntime = info.defaultRuntime
        liveRestoreEnabled = info.liveRestoreEnabled
        securityOptions = info.securityOptions
        warnings = info.warnings
    }

    /// Docker keeps insecure registries in two places: CIDRs in a list, host names as index
    /// entries marked not secure. Docker Hub is always an index entry, carrying the mirrors.
    static func registryConfig(_ registry: SystemInfo.RegistrySettings) -> RegistryConfig {
        var cidrs: [String] = []
        var indexes = [
            "docker.io": IndexInfo(name: "docker.io", mirrors: registry.mirrors, secure: true, official: true)
        ]
        for entry in registry.insecureRegistries {
            if let network = IPv4Network(cidr: entry) {
                cidrs.append(network.description)
            } else {
                indexes[entry] = IndexInfo(name: entry, mirrors: [], secure: false, official: false)
            }
        }
        return RegistryConfig(insecureRegistryCIDRs: cidrs, indexConfigs: indexes, mirrors: registry.mirrors)
    }
}
