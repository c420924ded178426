import VICCore
import VICImage

/// A `docker create` as the port layer takes it: names and settings, image not yet merged in.
public struct ContainerRequest: Sendable {
    /// The requested name (a leading "/" allowed); nil or empty gets a generated one.
    public var name: String?
    /// The image reference or ID as the user typed it.
    public var image: String
    /// nil or empty: the container's short ID.
    public var hostname: String?
    /// nil: the image's user.
    public var user: String?
    /// `KEY=value` entries that override the image's, variable by variable.
    public var env: [String]
    /// nil: the image's; an empty array from the user clears it.
    public var entrypoint: [String]?
    /// nil: the image's command, unless `entrypoint` is given (then none).
    public var cmd: [String]?
    /// nil or empty: the image's working directory.
    public var workingDir: String?
    /// `-t`: allocate a pseudo-terminal.
    public var tty: Bool
    /// `-i`: keep stdin open.
    public var openStdin: Bool
    /// Close stdin after the first attached client detaches.
    public var stdinOnce: Bool
    /// Attach stdin on start.
    public var attachStdin: Bool
    /// Attach stdout on start.
    public var attachStdout: Bool
    /// Attach stderr on start.
    public var attachStderr: Bool
    /// Labels merged over the image's.
    public var labels: [String: String]
    /// "port/proto" entries added to the image's exposed ports.
    public var exposedPorts: [String]
    /// nil: the image's stop signal, else SIGTERM.
    public var stopSignal: String?
    /// Docker's HostConfig, stored as given.
    public var host: HostSettings
    /// Docker's `NetworkingConfig.EndpointsConfig`: per-network settings (`--ip`, aliases, links).
    public var networks: [NetworkAttachment]
    /// `-v`, `--mount` and `--tmpfs`, and `Config.Volumes` (anonymous volumes), as asked.
    public var mounts: [MountRequest] = []
    /// `--volumes-from CONTAINER[:ro|:rw]`.
    public var volumesFrom: [String] = []
    /// `--health-*` and `--no-healthcheck` (test `["NONE"]`), merged over the image's at create.
    public var healthcheck: ImageConfiguration.HealthConfig?

    /// A request with Docker's defaults: stdout and stderr attached, restart policy `no`, default network.
    public init(name: String?, image: String, hostname: String? = nil, user: String? = nil, env: [String] = [],
                entrypoint: [String]? = nil, cmd: [String]? = nil, workingDir: String? = nil, tty: Bool = false,
                openStdin: Bool = false, stdinOnce: Bool = false, attachStdin: Bool = false,
                attachStdout: Bool = true, attachStderr: Bool = true, labels: [String: String] = [:],
                exposedPorts: [String] = [], stopSignal: String? = nil,
                host: HostSettings = HostSettings(autoRemove: false, restartPolicy: RestartPolicy(name: .no),
                                                  memoryBytes: nil, nanoCPUs: nil, networkMode: "default"),
                networks: [NetworkAttachment] = []) {
        self.name = name
        self.image = image
        self.hostname = hostname
        self.user = user
        self.env = env
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.workingDir = workingDir
        self.tty = tty
        self.openStdin = openStdin
        self.stdinOnce = stdinOnce
        self.attachStdin = attachStdin
        self.attachStdout = attachStdout
        self.attachStderr = attachStderr
        self.labels = labels
        self.exposedPorts = exposedPorts
        self.stopSignal = stopSignal
        self.host = host
        self.networks = networks
    }
}

/// How a container joins one network: `--net NAME` with `--ip`, `--network-alias`, `--link`.
public struct NetworkAttachment: Sendable, Hashable {
    /// The network's name, ID or unique ID prefix.
    public var network: String
    /// `--ip`: a fixed address inside the network's range; nil picks the lowest free one.
    public var ipv4Address: IPv4Address?
    /// `--network-alias`: extra names peers on this network resolve.
    public var aliases: [String]
    /// `--link target:alias` on this network.
    public var links: [String]
    /// `--mac-address`; nil generates one.
    public var macAddress: String?
    /// `--ip6`: a fixed address inside the network's IPv6 subnet; nil picks the lowest free one
    /// on a `--ipv6` network. Refused on a network without IPv6.
    public var ipv6Address: IPv6Address?

    /// An attachment with no fixed address, aliases or links.
    public init(network: String, ipv4Address: IPv4Address? = nil, aliases: [String] = [], links: [String] = [],
                macAddress: String? = nil, ipv6Address: IPv6Address? = nil) {
        self.network = network
        self.ipv4Address = ipv4Address
        self.ipv6Address = ipv6Address
        self.aliases = aliases
        self.links = links
        self.macAddress = macAddress
    }
}

/// Docker's container names: `/?[a-zA-Z0-9][a-zA-Z0-9_.-]+`, and generated `adjective_name`.
public enum ContainerNames {
    /// Returns the name without a leading "/", or throws `.invalidArgument` with Docker's message
    /// unless it matches `[a-zA-Z0-9][a-zA-Z0-9_.-]+`. Does not check uniqueness.
    public static func validate(_ name: String) throws -> String {
        let bare = name.hasPrefix("/") ? String(name.dropFirst()) : name
        guard bare.count >= 2, let first = bare.first, first.isASCII, first.isLetter || first.isNumber,
              bare.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
        else {
            throw VICError(.invalidArgument, "Invalid container name (\(name)), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }
        return bare
    }

    static let adjectives = ["admiring", "brave", "busy", "clever", "eager", "focused", "gallant", "happy",
                             "jolly", "keen", "loving", "modest", "nifty", "quirky", "serene", "vibrant"]
    static let names = ["babbage", "curie", "darwin", "euler", "feynman", "gauss", "hopper", "kepler",
                        "lovelace", "noether", "pascal", "ritchie", "shannon", "tesla", "turing", "wozniak"]

    /// A random `adjective_name` not in `taken`, numbered after eight clashes, falling back to
    /// `vic_<short id>` after 64 tries.
    public static func generate(avoiding taken: Set<String>) -> String {
        var generator = SystemRandomNumberGenerator()
        for attempt in 0..<64 {
            let base = "\(adjectives.randomElement(using: &generator) ?? "busy")_\(names.randomElement(using: &generator) ?? "turing")"
            let name = attempt < 8 ? base : "\(base)\(attempt)"
            if !taken.contains(name) { return name }
        }
        return "vic_" + Identifier.short(Identifier.random())
    }
}
