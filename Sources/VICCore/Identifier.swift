/// Docker-style identifiers: 64 lowercase hex characters, shown as their first 12.
public enum Identifier {
    /// A new random 64-hex identifier from the system's CSPRNG.
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in hex(generator.next() as UInt64) }.joined()
    }

    /// The 12-character short form Docker prints.
    public static func short(_ id: String) -> String { String(id.prefix(12)) }

    /// Whether `text` is a full 64-character lowercase hex identifier.
    public static func isFull(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
