/// An inclusive range of IPv4 addresses, `first <= last`.
public struct IPv4Range: Hashable, Sendable, CustomStringConvertible {
    /// The lowest address in the range.
    public let first: IPv4Address
    /// The highest address in the range, never below `first`.
    public let last: IPv4Address

    /// A range from `first` through `last`; nil when reversed.
    public init?(_ first: IPv4Address, _ last: IPv4Address) {
        guard first <= last else { return nil }
        self.first = first
        self.last = last
    }

    init(unchecked first: IPv4Address, _ last: IPv4Address) {
        self.first = first
        self.last = last
    }

    /// Parses VIC's three forms (pkg/ip ParseRange):
    /// - "A.B.C.D/N": from the address as written to the block's broadcast address;
    /// - "A.B.C.D-E.F.G.H";
    /// - "A.B.C.D-N": a last-octet shorthand, D < N <= 255.
    /// Reversed ranges and anything else give nil.
    public init?(parsing text: some StringProtocol) {
        let text = String(text)
        if text.contains("/") {
            guard let interface = IPv4Interface(text) else { return nil }
            self.init(interface.address, interface.network.last)
            return
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let first = IPv4Address(parts[0]) else { return nil }
        if let last = IPv4Address(parts[1]) {
            guard first < last else { return nil }
            self.init(first, last)
            return
        }
        guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy(\.isNumber),
              let octet = UInt32(parts[1]), octet <= 255, octet > first.value & 0xff
        else { return nil }
        self.init(first, IPv4Address(first.value & 0xffff_ff00 | octet))
    }

    /// How many addresses the range holds, both ends included (at least 1).
    public var count: UInt64 { UInt64(last.value - first.value) + 1 }

    /// Whether `address` lies between `first` and `last` inclusive.
    public func contains(_ address: IPv4Address) -> Bool { first <= address && address <= last }

    /// Whether the two ranges share at least one address.
    public func overlaps(_ other: IPv4Range) -> Bool { first <= other.last && other.first <= last }

    /// Whether every address of the range lies in `network`.
    public func isInside(_ network: IPv4Network) -> Bool {
        network.contains(first) && network.contains(last)
    }

    /// The block this range is exactly, if any ("10.0.0.0-10.0.0.255" is 10.0.0.0/24).
    public var exactNetwork: IPv4Network? {
        let size = UInt64(last.value) - UInt64(first.value) + 1
        guard size.nonzeroBitCount == 1 else { return nil }
        let prefix = 32 - size.trailingZeroBitCount
        guard let network = IPv4Network(containing: first, prefixLength: prefix),
              network.first == first else { return nil }
        return network
    }

    /// VIC's printing: a range that is exactly one block shows as "a.b.c.d/n", else "first-last".
    public var description: String {
        if let network = exactNetwork { return network.description }
        return "\(first)-\(last)"
    }
}

extension IPv4Range: TextCodable {
    public static let textKind = "IPv4 range"
    public init?(decoding text: String) { self.init(parsing: text) }
}
