import VICCore

/// Docker's `detachKeys` query value: comma-separated keys, each one character or `ctrl-X`
/// (X in a-z, @, [, \, ], ^, _). The default is ctrl-p,ctrl-q.
enum DetachKeys {
    static let defaultSequence: [UInt8] = [0x10, 0x11]

    /// nil or empty: the default sequence.
    static func parse(_ text: String?) throws -> [UInt8] {
        guard let text, !text.isEmpty else { return defaultSequence }
        var bytes: [UInt8] = []
        for key in text.split(separator: ",", omittingEmptySubsequences: false) {
            let lower = key.lowercased()
            if lower.hasPrefix("ctrl-"), lower.count == 6, let character = lower.last?.asciiValue {
                switch character {
                case UInt8(ascii: "a")...UInt8(ascii: "z"): bytes.append(character - UInt8(ascii: "a") + 1)
                case UInt8(ascii: "@"): bytes.append(0)
                case UInt8(ascii: "["), UInt8(ascii: "\\"), UInt8(ascii: "]"), UInt8(ascii: "^"), UInt8(ascii: "_"):
                    bytes.append(character - 64)
                default: throw invalid(text)
                }
            } else if key.count == 1, let character = key.first?.asciiValue {
                bytes.append(character)
            } else {
                throw invalid(text)
            }
        }
        return bytes
    }

    static func invalid(_ text: String) -> VICError {
        VICError(.invalidArgument, "Invalid detach keys (\(text)) provided")
    }
}
