import VICCore

/// A snapshot of what the embedded DNS server may answer: the running containers, their
/// endpoints with network aliases, and their links. Built by the appliance from its container
/// records at query time; a pure value, so the rules over it are tested without root.
public struct NameDirectory: Sendable, Equatable {
    /// One container as DNS sees it.
    public struct Entry: Sendable, Equatable {
        /// The 64-hex container ID; its first 12 characters are a name too.
        public var id: String
        /// The container name, without Docker's leading "/".
        public var name: String
        /// One per network the container is on.
        public var endpoints: [Endpoint]
        /// `--link target:alias` declared by this container: alias → target container name
        /// (or ID). Only this container resolves these aliases.
        public var links: [String: String]

        /// An entry; a leading "/" of Docker names is dropped.
        public init(id: String, name: String, endpoints: [Endpoint], links: [String: String] = [:]) {
            self.id = id
            self.name = name.hasPrefix("/") ? String(name.dropFirst()) : name
            self.endpoints = endpoints
            self.links = links
        }

        /// The 12-character short ID.
        public var shortID: String { String(id.prefix(12)) }
    }

    /// A container's membership of one network.
    public struct Endpoint: Sendable, Hashable {
        /// The Docker-visible network name ("bridge", "web-net").
        public var network: String
        /// The container's address on this network.
        public var address: IPv4Address
        /// `--network-alias` names on this network; several containers may share one.
        public var aliases: [String]
        /// The container's IPv6 address on a `--ipv6` network: its AAAA record.
        public var address6: IPv6Address?

        /// An endpoint.
        public init(network: String, address: IPv4Address, aliases: [String] = [], address6: IPv6Address? = nil) {
            self.network = network
            self.address = address
            self.aliases = aliases
            self.address6 = address6
        }
    }

    /// The running containers.
    public var containers: [Entry]

    /// A directory of `containers`.
    public init(containers: [Entry] = []) { self.containers = containers }

    /// The container with an endpoint at `address`: the sender of a query.
    public func container(at address: IPv4Address) -> Entry? {
        containers.first { $0.endpoints.contains { $0.address == address } }
    }
}
