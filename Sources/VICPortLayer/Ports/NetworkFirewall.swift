import VICCore

/// Where the port layer's network state becomes packet-filter rules: in a VCH, the appliance's
/// nftables table. The port layer calls `apply` after every change that matters to it
/// (a container started or stopped with published ports, a bridge network added or removed),
/// one call at a time (`ContainerManager.applyFirewall` waits for each before the next); the
/// implementation makes the ruleset match `state` in one atomic batch.
public protocol NetworkFirewall: Sendable {
    /// Makes the ruleset the one built from `state`. Never called again before it returns.
    /// Privilege: CAP_NET_ADMIN in the appliance namespace.
    func apply(_ state: FirewallState) async throws
}

/// Everything the appliance firewall is built from, besides the VCH configuration.
public struct FirewallState: Sendable, Equatable {
    /// A running container's published port: public address:port → container address:port.
    public struct Mapping: Sendable, Hashable {
        /// The public address and port, and the container port they forward to.
        public var published: PublishedPort
        /// The container's address on `network`, the DNAT target.
        public var containerAddress: IPv4Address
        /// The bridge network the container is reached on.
        public var network: String

        /// A mapping as the port layer computed it.
        public init(published: PublishedPort, containerAddress: IPv4Address, network: String) {
            self.published = published
            self.containerAddress = containerAddress
            self.network = network
        }
    }

    /// The bridge scopes (default and user-defined), each on its appliance interface.
    public var bridgeScopes: [NetworkScope]
    /// Every published port of every running container.
    public var mappings: [Mapping]

    /// A state snapshot; the firewall renders it as given.
    public init(bridgeScopes: [NetworkScope], mappings: [Mapping]) {
        self.bridgeScopes = bridgeScopes
        self.mappings = mappings
    }
}

/// A firewall that does nothing: for port layers without an appliance (tests).
public struct NoFirewall: NetworkFirewall {
    /// A firewall that changes nothing.
    public init() {}
    /// Ignores `state` and never throws.
    public func apply(_ state: FirewallState) async throws {}
}
