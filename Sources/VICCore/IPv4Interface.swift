/// An address with the prefix length of its subnet, as written: "192.168.100.1/16".
/// Unlike `IPv4Network`, the host bits are kept; `network` is the masked subnet.
public struct IPv4Interface: Hashable, Sendable, CustomStringConvertible {
    /// The address as written, host bits kept.
    public let address: IPv4Address
    /// The subnet's prefix length, 0...32.
    public let prefixLength: Int

    /// Pairs an address with its subnet's prefix length; nil unless `prefixLength` is 0...32.
    public init?(address: IPv4Address, prefixLength: Int) {
        guard (0...32).contains(prefixLength) else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses "a.b.c.d/n" with n in 0...32. A bare address is not an interface: nil.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(parts[0]),
              !parts[1].isEmpty, parts[1].count <= 2, parts[1].allSatisfy(\.isNumber),
              let prefix = Int(parts[1])
        else { return nil }
        self.init(address: address, prefixLength: prefix)
    }

    /// The subnet this address sits in (host bits cleared).
    public var network: IPv4Network {
        IPv4Network(masking: address, validPrefixLength: prefixLength)
    }

    /// "a.b.c.d/n", the form `init?(_:)` parses.
    public var description: String { "\(address)/\(prefixLength)" }
}

extension IPv4Interface: TextCodable {
    public static let textKind = "IPv4 CIDR address"
    public init?(decoding text: String) { self.init(text) }
}
