import VICCore

/// Chooses host ports for a container's bindings at start. Pure: it is given what is taken and
/// returns what to install, or VIC's error.
///
/// Rules:
/// - the host IP must be unset, 0.0.0.0 or the public address (VIC's message otherwise);
/// - a port is taken when a running container publishes it (same transport), or when it is
///   reserved by the appliance (the Docker API port where the client shares the public NIC);
/// - a fixed port or range takes its first free port, else `port N is not available`;
/// - no host port: the lowest free port of the ephemeral range, scanning from a rotating start
///   so that a port just released is not handed out again at once.
public struct PortAllocator: Sendable {
    /// The appliance's public address: every port is published on it.
    public let publicAddress: IPv4Address
    /// Where unpinned host ports come from; Linux's default 32768...60999.
    public let ephemeral: ClosedRange<UInt16>
    /// Ports never handed out, e.g. the Docker API's when the client network shares the public NIC.
    public let reserved: Set<PortKey>

    /// A (transport, port) pair: tcp and udp may share a number.
    public struct PortKey: Hashable, Sendable {
        /// The transport the port belongs to.
        public var transport: PortTransport
        /// The port number.
        public var port: UInt16
        /// The key for `port` over `transport`.
        public init(_ transport: PortTransport, _ port: UInt16) {
            self.transport = transport
            self.port = port
        }
    }

    /// An allocator; pure, it keeps no record of what it hands out.
    public init(publicAddress: IPv4Address, ephemeral: ClosedRange<UInt16> = 32768...60999, reserved: Set<PortKey> = []) {
        self.publicAddress = publicAddress
        self.ephemeral = ephemeral
        self.reserved = reserved
    }

    /// Checks the create-time rules (the host IP) without allocating.
    public func validate(_ bindings: [PortBinding]) throws {
        for binding in bindings {
            if let ip = binding.hostIP, ip != publicAddress {
                throw VICError(.invalidArgument,
                               "host IP for port bindings is only supported for 0.0.0.0 and the public interface IP address")
            }
        }
    }

    /// Host ports for `bindings`, given the ports `taken` by other running containers.
    /// - Parameter hint: where the ephemeral scan starts (callers rotate it).
    public func allocate(_ bindings: [PortBinding], taken: Set<PortKey>, hint: UInt16 = 0) throws -> [PublishedPort] {
        try validate(bindings)
        var used = taken.union(reserved)
        var result: [PublishedPort] = []
        for binding in bindings {
            let port: UInt16
            if let wanted = binding.hostPorts {
                guard let free = wanted.first(where: { !used.contains(PortKey(binding.transport, $0)) }) else {
                    let text = wanted.count == 1 ? "\(wanted.lowerBound)" : "\(wanted.lowerBound)-\(wanted.upperBound)"
                    throw VICError(.conflict, "error mapping ports: port \(text) is not available")
                }
                port = free
            } else {
                port = try ephemeralPort(binding.transport, used: used, hint: hint)
            }
            used.insert(PortKey(binding.transport, port))
            result.append(PublishedPort(hostIP: publicAddress, hostPort: port,
                                        containerPort: binding.containerPort, transport: binding.transport))
        }
        return result
    }

    func ephemeralPort(_ transport: PortTransport, used: Set<PortKey>, hint: UInt16) throws -> UInt16 {
        let count = Int(ephemeral.upperBound) - Int(ephemeral.lowerBound) + 1
        let start = Int(hint) % count
        for step in 0..<count {
            let port = UInt16(Int(ephemeral.lowerBound) + (start + step) % count)
            if !used.contains(PortKey(transport, port)) { return port }
        }
        throw VICError(.unavailable, "error mapping ports: no free port in the ephemeral range \(ephemeral.lowerBound)-\(ephemeral.upperBound)")
    }

    /// `-P`: every exposed port ("80/tcp") that has no explicit binding gets an ephemeral one.
    public static func publishingAll(_ exposed: [String], besides bindings: [PortBinding]) throws -> [PortBinding] {
        var result = bindings
        let bound = Set(bindings.map { PortKey($0.transport, $0.containerPort) })
        for key in exposed.sorted() {
            let (port, transport) = try PortBinding.parsePort(key)
            if !bound.contains(PortKey(transport, port)) {
                result.append(PortBinding(containerPort: port, transport: transport))
            }
        }
        return result
    }
}
