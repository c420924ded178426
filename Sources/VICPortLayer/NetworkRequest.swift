import Foundation
import VICCore

/// `docker network create` as the port layer takes it, already decoded from Docker's JSON.
public struct NetworkRequest: Sendable, Hashable {
    /// The new network's name; must match `[a-zA-Z0-9][a-zA-Z0-9_.-]*` and be unused.
    public var name: String
    /// `-d`: empty or `bridge`; `external` and every other driver are refused.
    public var driver: String
    /// `--subnet`; nil picks the first free block of the bridge range.
    public var subnet: IPv4Network?
    /// `--gateway`; nil takes the subnet's first host address.
    public var gateway: IPv4Address?
    /// `--ip-range`: where container addresses come from; must lie inside the subnet.
    public var ipRange: IPv4Range?
    /// `--internal`: no traffic is forwarded to or NATed out of the public network.
    public var `internal`: Bool
    /// `--label` entries, kept for filters and inspect.
    public var labels: [String: String]
    /// `-o` driver options, kept and shown but not interpreted.
    public var options: [String: String]
    /// `--ipv6`: members get an IPv6 address as well as an IPv4 one.
    public var enableIPv6: Bool
    /// The IPv6 `--subnet`; nil with `enableIPv6` generates a unique local /64.
    public var subnet6: IPv6Network?
    /// The IPv6 `--gateway`; nil takes the IPv6 subnet's first address after the all-zeros one.
    public var gateway6: IPv6Address?

    /// A request with Docker's defaults: the bridge driver, IPv4 only and no IPAM settings.
    public init(name: String, driver: String = "bridge", subnet: IPv4Network? = nil, gateway: IPv4Address? = nil,
                ipRange: IPv4Range? = nil, internal: Bool = false, labels: [String: String] = [:],
                options: [String: String] = [:], enableIPv6: Bool = false, subnet6: IPv6Network? = nil,
                gateway6: IPv6Address? = nil) {
        self.name = name
        self.driver = driver
        self.subnet = subnet
        self.gateway = gateway
        self.ipRange = ipRange
        self.internal = `internal`
        self.labels = labels
        self.options = options
        self.enableIPv6 = enableIPv6
        self.subnet6 = subnet6
        self.gateway6 = gateway6
    }
}

/// Turns a `NetworkRequest` into a new bridge scope, or says why not. Pure: the existing scopes
/// and the bridge pool in, a scope out, so every rule is tested in a table.
///
/// - The subnet is `--subnet`, else the first aligned `/width` block of the bridge range that
///   overlaps no existing scope (`bridge` holds the first: user networks get 172.17.0.0/16,
///   172.18.0.0/16 … by default).
/// - The gateway is `--gateway` (routable in the subnet), else the subnet's first host address.
/// - The network number (`number`) is the lowest one from 2 that no other bridge scope holds (1
///   is the default bridge); the appliance's interface on it is `bridge.<n>`.
/// - The port group is the network's own bridge, `vb` + 10 characters of its ID, so that
///   networks are isolated at L2.
/// - Reserved in the pool: all-zeros, all-ones and the gateway.
/// - With `--ipv6`: the IPv6 subnet is the given one, else a unique local /64 (RFC 4193) whose
///   global ID is taken from the network's ID; it overlaps no other network's. The IPv6 gateway
///   is the given one, else the subnet's `::1`. An IPv6 subnet or gateway without `--ipv6` is
///   refused rather than ignored.
public struct NetworkPlanner: Sendable {
    /// `--bridge-network-range`: where subnets come from when none is given.
    public var bridgeRange: IPv4Network
    /// `--bridge-network-width`: the prefix length of each bridge network.
    public var width: Int
    /// The bridge port group of the default bridge (user networks get their own bridges).
    public var portGroup: String

    /// A planner for the VCH's bridge pool; pure, no state of its own.
    public init(bridgeRange: IPv4Network, width: Int, portGroup: String) {
        self.bridgeRange = bridgeRange
        self.width = width
        self.portGroup = portGroup
    }

    static let reservedNames: Set<String> = ["bridge", "default", "none", "host", "container"]

    /// Validates `request` against `existing` and returns the scope to create, with its subnet,
    /// gateway, bridge name, network number and a pool that excludes the gateway. Changes nothing.
    /// Throws `.invalidArgument` for a bad name, driver, gateway or range, `.conflict` for a taken
    /// name or an overlapping subnet, and `.unavailable` when the bridge range is full.
    public func plan(_ request: NetworkRequest, existing: [NetworkScope], id: String, created: Date) throws -> NetworkScope {
        let name = request.name
        guard !name.isEmpty else { throw VICError(.invalidArgument, "scope name must not be empty") }
        guard let first = name.first, first.isASCII, first.isLetter || first.isNumber,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
        else {
            throw VICError(.invalidArgument, "invalid network name \(name): only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }
        if existing.contains(where: { $0.name == name }) || Self.reservedNames.contains(name) {
            throw VICError(.conflict, "network \(name) already exists")
        }
        switch request.driver {
        case "", "bridge": break
        case "external": throw VICError(.invalidArgument, "cannot create external networks")
        default:
            throw VICError(.invalidArgument, "network driver \"\(request.driver)\" is not supported: vic creates bridge networks only (scope type not supported)")
        }
        let subnet = try chooseSubnet(request.subnet, existing: existing)
        let gateway: IPv4Address
        if let wanted = request.gateway {
            guard subnet.isRoutable(wanted) else {
                throw VICError(.invalidArgument, "gateway address \(wanted) is not routable on network \(subnet)")
            }
            gateway = wanted
        } else {
            guard let host = subnet.first.advanced(by: 1), subnet.isRoutable(host) else {
                throw VICError(.invalidArgument, "subnet \(subnet) has no room for a gateway")
            }
            gateway = host
        }
        var ranges: [IPv4Range] = []
        if let range = request.ipRange {
            guard range.isInside(subnet) else {
                throw VICError(.invalidArgument, "IP range \(range) is not in subnet \(subnet)")
            }
            if range != subnet.range { ranges = [range] }
        }
        let (subnet6, gateway6) = try chooseIPv6(request, existing: existing, id: id)
        return NetworkScope(
            name: name, id: id, driver: .bridge, portGroup: Self.bridgeName(id: id), subnet: subnet, gateway: gateway,
            ranges: ranges, dnsServers: [gateway], builtin: false, internal: request.internal,
            labels: request.labels, created: created,
            pool: AddressPool(subnet: subnet, ranges: ranges, excluded: [gateway]),
            number: try nextNetworkNumber(existing), options: request.options,
            subnet6: subnet6, gateway6: gateway6)
    }

    /// The IPv6 subnet and gateway of a `--ipv6` request; nils for an IPv4-only one.
    func chooseIPv6(_ request: NetworkRequest, existing: [NetworkScope], id: String) throws
        -> (IPv6Network?, IPv6Address?) {
        guard request.enableIPv6 else {
            if let given = request.subnet6.map(\.description) ?? request.gateway6.map(\.description) {
                throw VICError(.invalidArgument, "IPv6 address \(given) given, but IPv6 is not enabled on network \(request.name): add --ipv6")
            }
            return (nil, nil)
        }
        let taken = existing.compactMap { scope in scope.subnet6.map { (scope.name, $0) } }
        let subnet: IPv6Network
        if let requested = request.subnet6 {
            guard requested.prefixLength <= 126 else {
                throw VICError(.invalidArgument, "IPv6 subnet \(requested) is too small: use /126 or larger")
            }
            for reserved in Self.unusableIPv6 where reserved.overlaps(requested) {
                throw VICError(.invalidArgument, "IPv6 subnet \(requested) is not usable for a network: it overlaps \(reserved)")
            }
            if let (owner, other) = taken.first(where: { $0.1.overlaps(requested) }) {
                throw VICError(.conflict, "subnet \(requested) overlaps with scope \(owner) subnet \(other)")
            }
            subnet = requested
        } else {
            // Ten hex digits of the ID are the 40-bit global ID; a clash moves along the ID.
            let hex = Array(id.filter(\.isHexDigit))
            let candidates = stride(from: 0, through: max(hex.count - 10, 0), by: 2).compactMap { start -> IPv6Network? in
                guard hex.count >= start + 10, let globalID = UInt64(String(hex[start..<start + 10]), radix: 16) else { return nil }
                return IPv6Network.uniqueLocal(globalID: globalID)
            }
            guard let free = candidates.first(where: { candidate in !taken.contains { $0.1.overlaps(candidate) } }) else {
                throw VICError(.unavailable, "cannot find a free IPv6 subnet for network \(request.name): give one with --subnet")
            }
            subnet = free
        }
        if let wanted = request.gateway6 {
            guard subnet.isRoutable(wanted) else {
                throw VICError(.invalidArgument, "gateway address \(wanted) is not routable on network \(subnet)")
            }
            return (subnet, wanted)
        }
        return (subnet, subnet.first.advanced(by: 1))
    }

    /// Blocks that cannot be a network's subnet: unspecified and loopback, link-local and multicast.
    static let unusableIPv6: [IPv6Network] = ["::/127", "fe80::/10", "ff00::/8"].compactMap { IPv6Network(cidr: $0) }

    func chooseSubnet(_ requested: IPv4Network?, existing: [NetworkScope]) throws -> IPv4Network {
        let taken = existing.compactMap { scope in scope.subnet.map { (scope.name, $0) } }
        if let requested {
            guard requested.prefixLength <= 30 else {
                throw VICError(.invalidArgument, "subnet \(requested) is too small: use /30 or larger")
            }
            if let (owner, subnet) = taken.first(where: { $0.1.overlaps(requested) }) {
                throw VICError(.conflict, "subnet \(requested) overlaps with scope \(owner) subnet \(subnet)")
            }
            return requested
        }
        guard width >= bridgeRange.prefixLength, width <= 30 else {
            throw VICError(.internal, "bridge mask is not compatible with bridge pool mask")
        }
        let count = UInt64(1) << UInt64(width - bridgeRange.prefixLength)
        var index: UInt64 = 0
        while index < count, let block = bridgeRange.subnet(prefixLength: width, index: index) {
            if !taken.contains(where: { $0.1.overlaps(block) }) { return block }
            index += 1
        }
        throw VICError(.unavailable, "no bridge networks left: every /\(width) block of \(bridgeRange) is in use")
    }

    /// The Linux bridge of a user network: `vb` + 10 characters of its ID (fits IFNAMSIZ).
    public static func bridgeName(id: String) -> String { "vb" + String(id.prefix(10)) }

    func nextNetworkNumber(_ existing: [NetworkScope]) throws -> Int {
        let used = Set(existing.compactMap(\.number))
        guard let vid = (2...4094).first(where: { !used.contains($0) }) else {
            throw VICError(.unavailable, "no network numbers left for bridge networks")
        }
        return vid
    }
}
