/// A domain name as its labels, without the root: `web.vic.test.` is `["web", "vic", "test"]`.
///
/// Labels are kept as sent (DNS preserves case) and compared case-insensitively (ASCII only,
/// RFC 4343). Invariants: each label is 1…63 bytes and the wire form is at most 255 bytes;
/// the initialisers reject anything else.
public struct DNSName: Sendable, Hashable, CustomStringConvertible {
    /// The labels, most specific first.
    public let labels: [[UInt8]]

    /// The longest wire form of a name (RFC 1035 §2.3.4).
    public static let maximumWireLength = 255
    /// The longest label.
    public static let maximumLabelLength = 63

    /// The root name (`.`).
    public static let root = DNSName(uncheckedLabels: [])

    init(uncheckedLabels labels: [[UInt8]]) { self.labels = labels }

    /// A name from labels; nil if a label is empty or too long, or the name is too long.
    public init?(labels: [[UInt8]]) {
        guard labels.allSatisfy({ !$0.isEmpty && $0.count <= Self.maximumLabelLength }),
              labels.reduce(1, { $0 + $1.count + 1 }) <= Self.maximumWireLength
        else { return nil }
        self.labels = labels
    }

    /// Parses dotted text ("web.vic.test", with or without the final dot); nil if malformed.
    public init?(_ text: String) {
        var body = Substring(text)
        if body.hasSuffix(".") { body = body.dropLast() }
        if body.isEmpty {
            self = .root
            return
        }
        self.init(labels: body.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) })
    }

    /// The length of the uncompressed wire form, the final zero byte included.
    public var wireLength: Int { labels.reduce(1) { $0 + $1.count + 1 } }

    /// The name with ASCII letters lowered: the key for comparisons and caches.
    public var lowercased: DNSName {
        DNSName(uncheckedLabels: labels.map { $0.map(Self.lowercase) })
    }

    /// The dotted text, without the final dot; bytes outside printable ASCII, dots and
    /// backslashes are escaped as `\DDD` (RFC 4343 §2.1).
    public var description: String {
        labels.map { label in
            label.map { byte -> String in
                if byte > 0x20, byte < 0x7f, byte != UInt8(ascii: "."), byte != UInt8(ascii: "\\") {
                    return String(UnicodeScalar(byte))
                }
                let digits = String(byte)
                return "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            }.joined()
        }.joined(separator: ".")
    }

    /// The labels as lower-case strings, for matching against container names.
    var lowercasedLabelTexts: [String] {
        labels.map { String(decoding: $0.lazy.map(Self.lowercase), as: UTF8.self) }
    }

    /// Case-insensitive comparison of the labels (ASCII letters only), as RFC 4343 requires.
    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        lhs.labels.count == rhs.labels.count
            && zip(lhs.labels, rhs.labels).allSatisfy { left, right in
                left.count == right.count && zip(left, right).allSatisfy { lowercase($0) == lowercase($1) }
            }
    }

    /// Hashes the lower-cased labels, consistent with the case-insensitive `==`.
    public func hash(into hasher: inout Hasher) {
        for label in labels {
            hasher.combine(label.count)
            for byte in label { hasher.combine(Self.lowercase(byte)) }
        }
    }

    static func lowercase(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}
