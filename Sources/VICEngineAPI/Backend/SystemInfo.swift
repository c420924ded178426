/// Facts about a VCH for `docker info` and `docker version`.
///
/// A domain value: the router maps it onto Docker's `SystemInfo` and `SystemVersion` shapes.
/// Fields vic cannot know yet have neutral defaults.
public struct SystemInfo: Sendable, Hashable {
    /// Container counts by state.
    public struct ContainerCounts: Sendable, Hashable {
        /// Containers whose process is running.
        public var running: Int
        /// Containers that are paused.
        public var paused: Int
        /// Containers created or exited.
        public var stopped: Int
        /// All containers, whatever their state.
        public var total: Int { running + paused + stopped }

        /// Counts of containers by state.
        public init(running: Int = 0, paused: Int = 0, stopped: Int = 0) {
            self.running = running
            self.paused = paused
            self.stopped = stopped
        }
    }

    /// A name and value shown under the storage driver, like `("Backing Filesystem", "extfs")`.
    public struct StatusEntry: Sendable, Hashable {
        /// The label, e.g. `Backing Filesystem`.
        public var name: String
        /// The value, e.g. `extfs`.
        public var value: String

        /// A status line.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Where images come from: mirrors and registries allowed without TLS verification.
    public struct RegistrySettings: Sendable, Hashable {
        /// The index used for `docker search` and as the default registry.
        public var indexServerAddress: String
        /// Registry mirrors tried before Docker Hub.
        public var mirrors: [String]
        /// Registries (`host:port` or CIDR) reached over plain HTTP or unverified TLS.
        public var insecureRegistries: [String]

        /// Registry settings; the index defaults to Docker Hub's.
        public init(
            indexServerAddress: String = "https://index.docker.io/v1/", mirrors: [String] = [],
            insecureRegistries: [String] = []
        ) {
            self.indexServerAddress = indexServerAddress
            self.mirrors = mirrors
            self.insecureRegistries = insecureRegistries
        }
    }

    /// The VCH name.
    public var name: String
    /// A stable identifier of this VCH.
    public var id: String
    /// Logical CPUs available to containers.
    public var cpus: Int
    /// Memory available to containers, in bytes.
    public var memoryBytes: Int64
    /// `uname -r` of the host kernel.
    public var kernelVersion: String
    /// Shown as "Operating System"; vic says `vic` (plus detail if wanted).
    public var operatingSystem: String
    /// The OS version, e.g. the host distribution's version; may be empty.
    public var osVersion: String
    /// GOOS-style: `linux`.
    public var osType: String
    /// `uname -m`: `x86_64`, `aarch64`.
    public var architecture: String
    /// The vchd version; empty means `EngineBuild.version`.
    public var serverVersion: String
    /// Containers by state.
    public var containers: ContainerCounts
    /// Images in the content store, tagged and dangling.
    public var images: Int
    /// The storage driver name, e.g. `overlayfs`.
    public var storageDriver: String
    /// Lines shown under the storage driver.
    public var storageDriverStatus: [StatusEntry]
    /// Network drivers, for `Plugins.Network`: `bridge`, `external`.
    public var networkDrivers: [String]
    /// Volume drivers, for `Plugins.Volume`.
    public var volumeDrivers: [String]
    /// The default log driver for new containers: `json-file`.
    public var logDriver: String
    /// Log drivers available, for `Plugins.Log`.
    public var logDrivers: [String]
    /// OCI runtimes by name, with the binary path: `["crun": "/usr/bin/crun"]`.
    public var runtimes: [String: String]
    /// The runtime used when a container names none.
    public var defaultRuntime: String
    /// The cgroup driver: `cgroupfs` or `systemd`.
    public var cgroupDriver: String
    /// The cgroup version: `2` (with `1`, `docker info` warns about OOM-kill support).
    public var cgroupVersion: String
    /// Where the VCH keeps its state.
    public var rootDirectory: String
    /// Registry, mirror and insecure-registry settings.
    public var registry: RegistrySettings
    /// Containers keep running while vchd restarts.
    public var liveRestoreEnabled: Bool
    /// Security features in force, e.g. `name=seccomp,profile=builtin`.
    public var securityOptions: [String]
    /// Messages `docker info` prints to stderr. Leave empty for a clean `docker info`.
    public var warnings: [String]
    /// Daemon labels, `key=value`.
    public var labels: [String]

    /// Creates a description; every field but the identity has a default matching a fresh VCH.
    public init(
        name: String, id: String, cpus: Int = 1, memoryBytes: Int64 = 0, kernelVersion: String = "",
        operatingSystem: String = "vic", osVersion: String = "", osType: String = "linux",
        architecture: String = "x86_64", serverVersion: String = "", containers: ContainerCounts = .init(),
        images: Int = 0, storageDriver: String = "overlayfs", storageDriverStatus: [StatusEntry] = [],
        networkDrivers: [String] = ["bridge", "external"], volumeDrivers: [String] = ["local"],
        logDriver: String = "json-file", logDrivers: [String] = ["json-file"],
        runtimes: [String: String] = ["crun": "crun"], defaultRuntime: String = "crun",
        cgroupDriver: String = "cgroupfs", cgroupVersion: String = "2", rootDirectory: String = "",
        registry: RegistrySettings = .init(), liveRestoreEnabled: Bool = true, securityOptions: [String] = [],
        warnings: [String] = [], labels: [String] = []
    ) {
        self.name = name
        self.id = id
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.kernelVersion = kernelVersion
        self.operatingSystem = operatingSystem
        self.osVersion = osVersion
        self.osType = osType
        self.architecture = architecture
        self.serverVersion = serverVersion
        self.containers = containers
        self.images = images
        self.storageDriver = storageDriver
        self.storageDriverStatus = storageDriverStatus
        self.networkDrivers = networkDrivers
        self.volumeDrivers = volumeDrivers
        self.logDriver = logDriver
        self.logDrivers = logDrivers
        self.runtimes = runtimes
        self.defaultRuntime = defaultRuntime
        self.cgroupDriver = cgroupDriver
        self.cgroupVersion = cgroupVersion
        self.rootDirectory = rootDirectory
        self.registry = registry
        self.liveRestoreEnabled = liveRestoreEnabled
        self.securityOptions = securityOptions
        self.warnings = warnings
        self.labels = labels
    }
}
