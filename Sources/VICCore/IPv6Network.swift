/// An IPv6 subnet: a masked address and a prefix length. `address` never has host bits set.
public struct IPv6Network: Hashable, Sendable, CustomStringConvertible {
    /// The network address; host bits are always clear.
    public let address: IPv6Address
    /// The prefix length, 0...128.
    public let prefixLength: Int

    /// Builds the network that contains `address`, clearing its host bits; nil unless
    /// `prefixLength` is 0...128.
    public init?(containing address: IPv6Address, prefixLength: Int) {
        guard (0...128).contains(prefixLength) else { return nil }
        self.prefixLength = prefixLength
        self.address = IPv6Address(address.value & IPv6Network.mask(prefixLength))
    }

    /// Parses "addr/n" and masks it, as Go's net.ParseCIDR: "fd00::1/64" is fd00::/64.
    public init?(cidr text: some StringProtocol) {
        guard let interface = IPv6Interface(text) else { return nil }
        self = interface.network
    }

    /// The netmask for `prefixLength` (0 gives 0). `prefixLength` must be 0...128.
    public static func mask(_ prefixLength: Int) -> UInt128 {
        prefixLength == 0 ? 0 : UInt128.max << UInt128(128 - prefixLength)
    }

    /// A unique local /64 (RFC 4193): `fd`, then the low 40 bits of `globalID`, then subnet 0.
    /// Callers derive `globalID` from something random, such as a network's ID.
    public static func uniqueLocal(globalID: UInt64) -> IPv6Network {
        let value = UInt128(0xfd) << 120 | UInt128(globalID & 0xff_ffff_ffff) << 80
        return IPv6Network(address: IPv6Address(value), validPrefixLength: 64)
    }

    init(address: IPv6Address, validPrefixLength: Int) {
        self.prefixLength = validPrefixLength
        self.address = IPv6Address(address.value & IPv6Network.mask(validPrefixLength))
    }

    /// The all-zeros address of the block (the subnet-router anycast address).
    public var first: IPv6Address { address }
    /// The last address of the block.
    public var last: IPv6Address { IPv6Address(address.value | ~IPv6Network.mask(prefixLength)) }

    /// Whether `address` lies in the block.
    public func contains(_ address: IPv6Address) -> Bool {
        address.value & IPv6Network.mask(prefixLength) == self.address.value
    }

    /// Whether `other` is this block or a sub-block of it.
    public func contains(_ other: IPv6Network) -> Bool {
        other.prefixLength >= prefixLength && contains(other.address)
    }

    /// Whether the two blocks share any address; aligned blocks overlap only by nesting.
    public func overlaps(_ other: IPv6Network) -> Bool { contains(other) || other.contains(self) }

    /// Whether `address` may be a host or gateway here: inside the block and not its
    /// subnet-router anycast (all-zeros) address. (/127 and /128 have none reserved.)
    public func isRoutable(_ address: IPv6Address) -> Bool {
        contains(address) && (prefixLength >= 127 || address != first)
    }

    /// "addr/n" with host bits clear, the address in RFC 5952 form.
    public var description: String { "\(address)/\(prefixLength)" }
}

/// An IPv6 address with the prefix length of its subnet, as written: "fd00::2/64". Unlike
/// `IPv6Network`, the host bits are kept; `network` is the masked subnet.
public struct IPv6Interface: Hashable, Sendable, CustomStringConvertible {
    /// The address as written, host bits kept.
    public let address: IPv6Address
    /// The subnet's prefix length, 0...128.
    public let prefixLength: Int

    /// Pairs an address with its subnet's prefix length; nil unless `prefixLength` is 0...128.
    public init?(address: IPv6Address, prefixLength: Int) {
        guard (0...128).contains(prefixLength) else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses "addr/n" with n in 0...128. A bare address is not an interface: nil.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv6Address(parts[0]),
              !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
              let prefix = Int(parts[1])
        else { return nil }
        self.init(address: address, prefixLength: prefix)
    }

    /// The subnet this address sits in (host bits cleared).
    public var network: IPv6Network { IPv6Network(address: address, validPrefixLength: prefixLength) }

    /// "addr/n", the form `init?(_:)` parses.
    public var description: String { "\(address)/\(prefixLength)" }
}

extension IPv6Network: TextCodable {
    public static let textKind = "IPv6 network"
    /// Canonical text only: unlike `init?(cidr:)`, text with host bits set ("fd00::1/64") is
    /// rejected rather than masked.
    public init?(decoding text: String) {
        guard let network = IPv6Network(cidr: text), network.description == text else { return nil }
        self = network
    }
}

extension IPv6Interface: TextCodable {
    public static let textKind = "IPv6 CIDR address"
    public init?(decoding text: String) { self.init(text) }
}
