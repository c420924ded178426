import VICCore

/// Where the port layer's network state becomes packet-filter rules: in a VCH, the appliance's
/// nftables table. The port layer calls `apply` after every change that matters to it
/// (a container started or stopped with published ports, a bridge network added or removed);
/// the implementation rebuilds the whole ruleset from `state` atomically, never patching it.
public protocol NetworkFirewall: Sendable {
    /// Replaces the ruleset with one built from `state`. Calls are applied in the order made.
    /// Privilege: CAP_NET_ADMIN in the appliance namespace.
    func apply(_ state: FirewallState) async throws
}

/// Everything the appliance firewall is built from, besides the VCH configuration.
public struct FirewallState: Sendable, Equatable {
    /// A running container's published port: public address:port → container address:port.
    public struct Mapping: Sendable, Hashable {
        public var published: PublishedPort
        public var containerAddress: IPv4Address
        public var network: String

        public init(published: PublishedPort, containerAddress: IPv4Address, network: String) {
            self.published = published
            self.containerAddress = containerAddress
            self.network = network
        }
    }

    /// The bridge scopes (default and user-defined), each on its appliance interface.
    public var bridgeScopes: [NetworkScope]
    public var mappings: [Mapping]

    public init(bridgeScopes: [NetworkScope], mappings: [Mapping]) {
        self.bridgeScopes = bridgeScopes
        self.mappings = mappings
    }
}

/// A firewall that does nothing: for port layers without an appliance (tests).
public struct NoFirewall: NetworkFirewall {
    public init() {}
    public func apply(_ state: FirewallState) async throws {}
}
