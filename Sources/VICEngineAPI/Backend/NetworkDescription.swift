import Foundation
import VICCore

/// A network of the VCH as the API presents it: a bridge scope or an external container
/// network, with its address management and attached endpoints.
///
/// A domain value: it knows nothing of Docker's JSON shape (see `DockerNetwork`).
public struct NetworkDescription: Sendable, Hashable {
    /// The network driver: `bridge` scopes live on the bridge port group, `external` ones are
    /// container networks attached directly to their own port group.
    public enum Driver: String, Sendable, Hashable, CaseIterable {
        case bridge
        case external
    }

    /// One address pool: the subnet, its gateway and, when narrower than the subnet, the range
    /// addresses are handed out from.
    public struct AddressConfiguration: Sendable, Hashable {
        /// The subnet, e.g. `172.16.0.0/16`.
        public var subnet: IPv4Network
        /// The gateway, if the network has one (a DHCP network may not).
        public var gateway: IPv4Address?
        /// The pool addresses come from, when narrower than `subnet`.
        public var range: IPv4Range?

        /// - Parameters:
        ///   - subnet: The network's subnet.
        ///   - gateway: The gateway inside `subnet`, if the network has one.
        ///   - range: The pool when it differs from the subnet; `nil` means the whole subnet.
        public init(subnet: IPv4Network, gateway: IPv4Address? = nil, range: IPv4Range? = nil) {
            self.subnet = subnet
            self.gateway = gateway
            self.range = range
        }
    }

    /// The IPv6 pool of a `--ipv6` network: its subnet and gateway (the appliance).
    public struct IPv6AddressConfiguration: Sendable, Hashable {
        /// The IPv6 subnet, e.g. `fd12:3456:789a::/64`.
        public var subnet: IPv6Network
        /// The gateway inside `subnet`.
        public var gateway: IPv6Address?

        /// A pool over the whole of `subnet`.
        public init(subnet: IPv6Network, gateway: IPv6Address? = nil) {
            self.subnet = subnet
            self.gateway = gateway
        }
    }

    /// A container attached to the network.
    public struct Endpoint: Sendable, Hashable {
        /// The container's name, without Docker's leading slash.
        public var containerName: String
        /// The endpoint's ID; vic uses the container ID, as VIC did.
        public var endpointID: String
        /// The endpoint's MAC address, `aa:bb:cc:dd:ee:ff`, or empty when not yet bound.
        public var macAddress: String
        /// The endpoint's address with the network's prefix length, or `nil` when not yet bound.
        public var ipv4Address: IPv4Interface?
        /// The IPv6 address with the network's prefix length; nil on an IPv4-only network.
        public var ipv6Address: IPv6Interface?

        /// Creates an endpoint description; all but the name default to "not bound yet".
        public init(
            containerName: String, endpointID: String, macAddress: String = "",
            ipv4Address: IPv4Interface? = nil, ipv6Address: IPv6Interface? = nil
        ) {
            self.containerName = containerName
            self.endpointID = endpointID
            self.macAddress = macAddress
            self.ipv4Address = ipv4Address
            self.ipv6Address = ipv6Address
        }
    }

    /// The Docker-visible name: `bridge`, a user network, or a container-network alias.
    public var name: String
    /// 64 lowercase hex characters.
    public var id: String
    /// The driver: `bridge` or `external`.
    public var driver: Driver
    /// An internal network has no route out (`docker network create --internal`).
    public var isInternal: Bool
    /// Built in to the VCH (the default bridge and every container network); cannot be removed.
    /// Drives the `type=builtin|custom` filter.
    public var isBuiltin: Bool
    /// Labels from `docker network create --label`.
    public var labels: [String: String]
    /// When the network was created. Stable across calls (unlike VIC, which said "now").
    public var created: Date
    /// Empty for a DHCP container network.
    public var addressConfigurations: [AddressConfiguration]
    /// The IPv6 pool of a `--ipv6` network; empty otherwise.
    public var ipv6Configurations: [IPv6AddressConfiguration]
    /// Attached containers, keyed by full container ID.
    public var endpoints: [String: Endpoint]
    /// Driver options given at creation.
    public var options: [String: String]

    /// Creates a description. `isBuiltin` defaults to true for `bridge` and every `external`
    /// network, as in VIC.
    public init(
        name: String, id: String, driver: Driver, isInternal: Bool = false, isBuiltin: Bool? = nil,
        labels: [String: String] = [:], created: Date, addressConfigurations: [AddressConfiguration] = [],
        endpoints: [String: Endpoint] = [:], options: [String: String] = [:],
        ipv6Configurations: [IPv6AddressConfiguration] = []
    ) {
        self.name = name
        self.id = id
        self.driver = driver
        self.isInternal = isInternal
        self.isBuiltin = isBuiltin ?? (name == "bridge" || driver == .external)
        self.labels = labels
        self.created = created
        self.addressConfigurations = addressConfigurations
        self.endpoints = endpoints
        self.options = options
        self.ipv6Configurations = ipv6Configurations
    }

    /// `docker network create --ipv6`: the network has an IPv6 pool.
    public var enableIPv6: Bool { !ipv6Configurations.isEmpty }
}
