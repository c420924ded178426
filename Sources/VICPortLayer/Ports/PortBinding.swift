import VICCore

/// The transport of a published port.
public enum PortTransport: String, Codable, Sendable, Hashable, CaseIterable {
    case tcp, udp, sctp
}

/// One `-p` request as the user gave it: a container port, an optional host IP, and the host
/// ports it may take (nil: any free port of the ephemeral range).
///
/// Invariant: `hostPorts`, when set, is within 1...65535; `containerPort` is not 0.
public struct PortBinding: Codable, Sendable, Hashable {
    /// The port inside the container, never 0.
    public var containerPort: UInt16
    /// tcp unless the key said otherwise.
    public var transport: PortTransport
    /// nil or 0.0.0.0: the public address.
    public var hostIP: IPv4Address?
    /// The host ports the binding may take, the first free one winning; nil: an ephemeral port.
    public var hostPorts: ClosedRange<UInt16>?

    /// A binding; callers keep the invariant (non-zero container port, host ports in 1...65535).
    public init(containerPort: UInt16, transport: PortTransport = .tcp, hostIP: IPv4Address? = nil,
                hostPorts: ClosedRange<UInt16>? = nil) {
        self.containerPort = containerPort
        self.transport = transport
        self.hostIP = hostIP
        self.hostPorts = hostPorts
    }

    /// Docker's `"80/tcp"` key: the container port and its transport (tcp when omitted).
    public static func parsePort(_ key: String) throws -> (UInt16, PortTransport) {
        let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let transportText = parts.count == 2 ? parts[1].lowercased() : "tcp"
        guard let transport = PortTransport(rawValue: transportText) else {
            throw VICError(.invalidArgument, "invalid proto: \(transportText)")
        }
        guard let port = UInt16(parts[0]), port != 0 else {
            throw VICError(.invalidArgument, "invalid containerPort: \(parts[0])")
        }
        return (port, transport)
    }

    /// Docker's `HostPort`: `""` (ephemeral), `"8080"` or `"8000-8010"` (the first free of them).
    public static func parseHostPorts(_ text: String) throws -> ClosedRange<UInt16>? {
        if text.isEmpty { return nil }
        let bounds = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard let low = UInt16(bounds[0]), let high = bounds.count == 2 ? UInt16(bounds[1]) : low else {
            throw VICError(.invalidArgument, "invalid hostPort: \(text)")
        }
        guard low <= high else {
            throw VICError(.invalidArgument, "invalid hostPort: \(text): the range ends before it starts")
        }
        if low == 0 && high == 0 { return nil }
        guard low > 0 else { throw VICError(.invalidArgument, "invalid hostPort: \(text)") }
        return low...high
    }

    /// Parses one entry of Docker's `PortBindings` (`"80/tcp": [{"HostIp": "", "HostPort": "8080"}]`).
    public static func parse(port key: String, hostIP: String?, hostPort: String?) throws -> PortBinding {
        let (port, transport) = try parsePort(key)
        var address: IPv4Address?
        if let hostIP, !hostIP.isEmpty {
            guard let parsed = IPv4Address(hostIP) else {
                throw VICError(.invalidArgument, "invalid host IP for port bindings: \(hostIP)")
            }
            address = parsed.value == 0 ? nil : parsed
        }
        return PortBinding(containerPort: port, transport: transport, hostIP: address,
                           hostPorts: try parseHostPorts(hostPort ?? ""))
    }
}

/// A binding as installed while its container runs: public address and port → container port.
public struct PublishedPort: Codable, Sendable, Hashable {
    /// The appliance's public address the port is published on.
    public var hostIP: IPv4Address
    /// The chosen host port.
    public var hostPort: UInt16
    /// The port inside the container that connections are DNATed to.
    public var containerPort: UInt16
    /// The transport of both ports.
    public var transport: PortTransport

    /// A published port as the allocator chose it.
    public init(hostIP: IPv4Address, hostPort: UInt16, containerPort: UInt16, transport: PortTransport) {
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.transport = transport
    }
}
