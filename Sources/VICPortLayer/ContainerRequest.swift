import VICCore

/// A `docker create` as the port layer takes it: names and settings, image not yet merged in.
public struct ContainerRequest: Sendable {
    public var name: String?
    public var image: String
    public var hostname: String?
    public var user: String?
    public var env: [String]
    /// nil: the image's; an empty array from the user clears it.
    public var entrypoint: [String]?
    public var cmd: [String]?
    public var workingDir: String?
    public var tty: Bool
    public var openStdin: Bool
    public var stdinOnce: Bool
    public var attachStdin: Bool
    public var attachStdout: Bool
    public var attachStderr: Bool
    public var labels: [String: String]
    public var exposedPorts: [String]
    public var stopSignal: String?
    public var host: HostSettings
    /// Docker's `NetworkingConfig.EndpointsConfig`: per-network settings (`--ip`, aliases, links).
    public var networks: [NetworkAttachment]

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
    public var network: String
    public var ipv4Address: IPv4Address?
    public var aliases: [String]
    public var links: [String]
    public var macAddress: String?

    public init(network: String, ipv4Address: IPv4Address? = nil, aliases: [String] = [], links: [String] = [],
                macAddress: String? = nil) {
        self.network = network
        self.ipv4Address = ipv4Address
        self.aliases = aliases
        self.links = links
        self.macAddress = macAddress
    }
}

/// Docker's container names: `/?[a-zA-Z0-9][a-zA-Z0-9_.-]+`, and generated `adjective_name`.
public enum ContainerNames {
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
