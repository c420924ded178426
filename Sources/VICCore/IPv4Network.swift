/// An IPv4 subnet: a masked address and a prefix length. `address` never has host bits set.
public struct IPv4Network: Hashable, Sendable, CustomStringConvertible {
    /// The network address; host bits are always clear.
    public let address: IPv4Address
    /// The prefix length, 0...32.
    public let prefixLength: Int

    /// Builds the network that contains `address`, clearing its host bits.
    /// `prefixLength` must be 0...32; other values return nil.
    public init?(containing address: IPv4Address, prefixLength: Int) {
        guard (0...32).contains(prefixLength) else { return nil }
        self.prefixLength = prefixLength
        self.address = IPv4Address(address.value & IPv4Network.mask(prefixLength))
    }

    /// For callers that have already checked `validPrefixLength` is in 0...32.
    init(masking address: IPv4Address, validPrefixLength: Int) {
        self.prefixLength = validPrefixLength
        self.address = IPv4Address(address.value & IPv4Network.mask(validPrefixLength))
    }

    /// Parses "a.b.c.d/n" and masks it: "172.17.0.0/12" is 172.16.0.0/12, as Go's net.ParseCIDR.
    public init?(cidr text: some StringProtocol) {
        guard let interface = IPv4Interface(text) else { return nil }
        self = interface.network
    }

    /// The host-order netmask for `prefixLength` (0 gives 0). `prefixLength` must be 0...32.
    public static func mask(_ prefixLength: Int) -> UInt32 {
        prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength)
    }

    /// The netmask as an address: /24 is 255.255.255.0.
    public var netmask: IPv4Address { IPv4Address(IPv4Network.mask(prefixLength)) }
    /// The all-zeros address of the block.
    public var first: IPv4Address { address }
    /// The all-ones (broadcast) address of the block.
    public var last: IPv4Address { IPv4Address(address.value | ~IPv4Network.mask(prefixLength)) }
    /// How many addresses the block holds, all-zeros and all-ones included.
    public var size: UInt64 { UInt64(1) << UInt64(32 - prefixLength) }
    /// Every address of the block, all-zeros and all-ones included.
    public var range: IPv4Range { IPv4Range(unchecked: first, last) }

    /// Whether `address` lies in the block, all-zeros and all-ones included.
    public func contains(_ address: IPv4Address) -> Bool {
        address.value & IPv4Network.mask(prefixLength) == self.address.value
    }

    /// Whether `other` is this block or a sub-block of it.
    public func contains(_ other: IPv4Network) -> Bool {
        other.prefixLength >= prefixLength && contains(other.address)
    }

    /// Whether the two blocks share any address; aligned blocks overlap only by nesting.
    public func overlaps(_ other: IPv4Network) -> Bool { contains(other) || other.contains(self) }

    /// Whether `address` may be a host or gateway here: inside the block and neither its
    /// all-zeros nor its all-ones address. (/31 and /32 have no such reserved addresses.)
    public func isRoutable(_ address: IPv4Address) -> Bool {
        guard contains(address) else { return false }
        if prefixLength >= 31 { return true }
        return address != first && address != last
    }

    /// The `index`th aligned block of `prefixLength` inside this one, or nil past the end
    /// or when `prefixLength` is shorter than this network's.
    public func subnet(prefixLength: Int, index: UInt64) -> IPv4Network? {
        guard prefixLength >= self.prefixLength, prefixLength <= 32 else { return nil }
        let count = UInt64(1) << UInt64(prefixLength - self.prefixLength)
        guard index < count else { return nil }
        let base = UInt64(address.value) + index * (UInt64(1) << UInt64(32 - prefixLength))
        return IPv4Network(containing: IPv4Address(UInt32(base)), prefixLength: prefixLength)
    }

    /// "a.b.c.d/n" with host bits clear.
    public var description: String { "\(address)/\(prefixLength)" }
}

extension IPv4Network: TextCodable {
    public static let textKind = "IPv4 network"
    /// Canonical text only: unlike `init?(cidr:)`, text with host bits set ("10.1.2.3/8") is
    /// rejected rather than masked.
    public init?(decoding text: String) {
        guard let network = IPv4Network(cidr: text), network.description == text else { return nil }
        self = network
    }
}
