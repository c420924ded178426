/// An IPv6 address, stored as a 128-bit value: `fd00::1` is 0xfd00_0000_…_0001.
public struct IPv6Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The address, most significant group first.
    public let value: UInt128

    /// Wraps a value; every `UInt128` is a valid address.
    public init(_ value: UInt128) { self.value = value }

    /// Builds an address from its eight 16-bit groups, most significant first; nil unless
    /// there are exactly eight.
    public init?(groups: [UInt16]) {
        guard groups.count == 8 else { return nil }
        value = groups.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }

    /// Parses RFC 4291 text: eight groups of one to four hex digits, at most one `::` standing
    /// for one or more zero groups, and optionally a dotted quad as the last 32 bits
    /// (`::ffff:192.0.2.1`). A zone (`%eth0`), a prefix, brackets or anything else: nil.
    public init?(_ text: some StringProtocol) {
        let text = String(text)
        guard !text.isEmpty, text.allSatisfy(\.isASCII) else { return nil }
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        guard let head = Self.groups(halves[0], last: halves.count == 1) else { return nil }
        if halves.count == 1 {
            guard head.count == 8 else { return nil }
            self.init(groups: head)
            return
        }
        guard let tail = Self.groups(halves[1], last: true), head.count + tail.count <= 7 else { return nil }
        self.init(groups: head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail)
    }

    /// The groups of one side of `::` ("" has none). A dotted quad counts as two groups and
    /// may only end the text (`last`).
    private static func groups(_ side: String, last: Bool) -> [UInt16]? {
        guard !side.isEmpty else { return [] }
        let parts = side.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if last, index == parts.count - 1, part.contains(".") {
                guard let v4 = IPv4Address(part) else { return nil }
                groups += [UInt16(v4.value >> 16), UInt16(v4.value & 0xffff)]
                continue
            }
            guard (1...4).contains(part.count), part.allSatisfy(\.isHexDigit), let group = UInt16(part, radix: 16)
            else { return nil }
            groups.append(group)
        }
        return groups
    }

    /// The eight 16-bit groups, most significant first.
    public var groups: [UInt16] {
        (0..<8).map { UInt16(truncatingIfNeeded: value >> UInt128(16 * (7 - $0))) }
    }

    /// RFC 5952 text: lower-case hex without leading zeros, the longest run of two or more zero
    /// groups (the first of equal runs) written as `::`. `init?(_:)` parses it back.
    public var description: String {
        let groups = groups
        var best: (start: Int, length: Int) = (-1, 0)
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else { index += 1; continue }
            var end = index
            while end < 8, groups[end] == 0 { end += 1 }
            if end - index > best.length { best = (index, end - index) }
            index = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.length >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<best.start].joined(separator: ":")
        let tail = hex[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }

    /// The address `offset` places after this one, or nil past ffff:…:ffff.
    public func advanced(by offset: UInt64) -> IPv6Address? {
        let (next, overflow) = value.addingReportingOverflow(UInt128(offset))
        return overflow ? nil : IPv6Address(next)
    }

    /// Numeric order, so sorted listings follow address order.
    public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool { lhs.value < rhs.value }
}

extension IPv6Address: TextCodable {
    public static let textKind = "IPv6 address"
    public init?(decoding text: String) { self.init(text) }
}
