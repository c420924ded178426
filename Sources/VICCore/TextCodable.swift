/// A value stored in JSON as one string: its `description` out, and `init?(decoding:)` in.
/// The addresses, networks and ranges of VICCore conform, so every configuration and record
/// holds them as the text a user would write, and nothing is lost on the way back.
public protocol TextCodable: Codable, CustomStringConvertible {
    /// Parses stored text; nil when it is not a value of this type (or, for networks, not in
    /// its canonical form).
    init?(decoding text: String)
    /// What the type is called in a decoding error: "IPv4 address".
    static var textKind: String { get }
}

extension TextCodable {
    /// Decodes a string; throws `DecodingError.dataCorrupted` naming the kind when
    /// `init?(decoding:)` rejects it.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(decoding: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an \(Self.textKind): \(text)"))
        }
        self = value
    }

    /// Encodes `description` as a single string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
