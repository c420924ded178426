/// An IPv4 address, stored as a host-order 32-bit value.
public struct IPv4Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The address in host byte order: 192.168.0.1 is 0xC0A8_0001.
    public let value: UInt32

    /// Wraps a host-order value; every `UInt32` is a valid address.
    public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad text ("192.168.100.1"). Rejects leading zeros ("01"), empty octets,
    /// out-of-range octets and anything else; returns nil rather than guessing.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII),
                  part.allSatisfy(\.isNumber), let octet = UInt32(part), octet <= 255,
                  part.count == 1 || part.first != "0"
            else { return nil }
            value = value << 8 | octet
        }
        self.value = value
    }

    /// The four octets, most significant first, as written in dotted-quad text.
    public var octets: [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    /// Dotted-quad text without leading zeros, which `init?(_:)` parses back.
    public var description: String { octets.map(String.init).joined(separator: ".") }

    /// The address `offset` places after this one, or nil past 255.255.255.255.
    public func advanced(by offset: Int64) -> IPv4Address? {
        let next = Int64(value) + offset
        guard next >= 0, next <= Int64(UInt32.max) else { return nil }
        return IPv4Address(UInt32(next))
    }

    /// Numeric order, so ranges and sorted listings follow address order.
    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}

extension IPv4Address: TextCodable {
    public static let textKind = "IPv4 address"
    public init?(decoding text: String) { self.init(text) }
}
