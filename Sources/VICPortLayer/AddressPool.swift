import VICCore

/// IPAM for one network: hands out the lowest free address of its ranges, never the all-zeros,
/// all-ones, gateway or DNS addresses. An address stays reserved until it is released (at
/// container removal), so a stopped container keeps it.
public struct AddressPool: AddressReserving, Sendable, Equatable {
    /// The network's subnet; every handed-out address lies in it.
    public let subnet: IPv4Network
    /// Where addresses come from: the given ranges, or the whole subnet. Never empty.
    public let ranges: [IPv4Range]
    /// Handed out, plus the addresses never handed out (gateway, DNS, all-zeros, all-ones).
    public internal(set) var reserved: Set<IPv4Address>

    /// `ranges` empty means the whole subnet. `excluded` (gateway, DNS) are never handed out.
    public init(subnet: IPv4Network, ranges: [IPv4Range] = [], excluded: [IPv4Address] = []) {
        self.subnet = subnet
        self.ranges = ranges.isEmpty ? [subnet.range] : ranges
        var blocked = Set(excluded)
        if subnet.prefixLength < 31 {
            blocked.insert(subnet.first)
            blocked.insert(subnet.last)
        }
        reserved = blocked
    }

    /// Reserves and returns the lowest free address.
    public mutating func reserveNext(network: String) throws -> IPv4Address {
        for range in ranges.sorted(by: { $0.first < $1.first }) {
            var candidate = range.first
            while true {
                if subnet.contains(candidate) && !reserved.contains(candidate) {
                    reserved.insert(candidate)
                    return candidate
                }
                guard candidate < range.last, let next = candidate.advanced(by: 1) else { break }
                candidate = next
            }
        }
        throw VICError(.unavailable, "No available IP address in current network \(network)")
    }

    func holds(_ address: IPv4Address) -> Bool { subnet.contains(address) }
}

/// IPAM for a network's IPv6 subnet: hands out the lowest free address after the subnet-router
/// anycast (all-zeros) address, never an excluded one (the gateway). Like `AddressPool`, an
/// address stays reserved until it is released at container removal.
public struct IPv6AddressPool: AddressReserving, Sendable, Equatable {
    /// The network's IPv6 subnet; every handed-out address lies in it.
    public let subnet: IPv6Network
    /// Handed out, plus the addresses never handed out (gateway, subnet-router anycast).
    public internal(set) var reserved: Set<IPv6Address>

    /// A pool over the whole subnet; `excluded` (the gateway) is never handed out.
    public init(subnet: IPv6Network, excluded: [IPv6Address] = []) {
        self.subnet = subnet
        reserved = Set(excluded)
        if subnet.prefixLength < 127 { reserved.insert(subnet.first) }
    }

    /// Reserves and returns the lowest free address. Reserved addresses are skipped one by one,
    /// so the search is bounded by how many are reserved, not by the subnet's size.
    public mutating func reserveNext(network: String) throws -> IPv6Address {
        var candidate = subnet.first
        while subnet.contains(candidate) {
            if !reserved.contains(candidate) {
                reserved.insert(candidate)
                return candidate
            }
            guard let next = candidate.advanced(by: 1) else { break }
            candidate = next
        }
        throw VICError(.unavailable, "No available IPv6 address in current network \(network)")
    }

    func holds(_ address: IPv6Address) -> Bool { subnet.contains(address) }
}

/// What the IPv4 and IPv6 pools share: reservations of addresses inside one subnet.
protocol AddressReserving {
    associatedtype Address: Hashable & CustomStringConvertible
    associatedtype Subnet: CustomStringConvertible
    var subnet: Subnet { get }
    var reserved: Set<Address> { get set }
    /// Whether `address` lies in the subnet.
    func holds(_ address: Address) -> Bool
    /// Reserves and returns the lowest free address; `.unavailable` when there is none.
    mutating func reserveNext(network: String) throws -> Address
}

extension AddressReserving {
    /// Reserves exactly `address` (`--ip`, `--ip6`, or a reservation reloaded after a restart):
    /// `.invalidArgument` outside the subnet, `.conflict` when taken.
    mutating func reserve(_ address: Address, network: String) throws {
        guard holds(address) else { throw VICError(.invalidArgument, "address \(address) is not in network \(network) (\(subnet))") }
        guard reserved.insert(address).inserted else {
            throw VICError(.conflict, "Address \(address) already in use in network \(network)")
        }
    }

    /// Reserves `wanted` when given, else the lowest free address.
    mutating func reserve(wantedOrNext wanted: Address?, network: String) throws -> Address {
        guard let wanted else { return try reserveNext(network: network) }
        try reserve(wanted, network: network)
        return wanted
    }

    /// Gives `address` back (container removal, disconnect).
    mutating func release(_ address: Address) { reserved.remove(address) }
}
