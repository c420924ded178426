/// Watches a byte stream for an escape sequence (docker's detach keys, ctrl-p ctrl-q by
/// default) and passes everything else through unchanged. Bytes that might begin the sequence
/// are held back until the next byte decides; the sequence itself is never passed on. Pure.
public struct EscapeSequenceFilter: Sendable {
    /// The bytes that detach, e.g. [0x10, 0x11] for ctrl-p ctrl-q.
    public let sequence: [UInt8]
    private var matched = 0

    /// An empty `sequence` never matches.
    public init(sequence: [UInt8]) {
        self.sequence = sequence
    }

    /// What to do after feeding a chunk: keep passing bytes on, or pass the last ones and detach.
    public enum Outcome: Equatable, Sendable {
        /// Pass these bytes on (maybe none yet).
        case pass([UInt8])
        /// The sequence was read: pass these bytes that came before it, then stop.
        case escape([UInt8])
    }

    /// Feeds the next chunk of the stream.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> Outcome {
        guard !sequence.isEmpty else { return .pass(Array(bytes)) }
        var output: [UInt8] = []
        for byte in bytes {
            if byte == sequence[matched] {
                matched += 1
                if matched == sequence.count { return .escape(output) }
                continue
            }
            // A broken partial match: what was held is ordinary input. The byte may start
            // a new match (the sequence's first byte).
            output += sequence[0..<matched]
            matched = 0
            if byte == sequence[0] {
                matched = 1
                if matched == sequence.count { return .escape(output) }
            } else {
                output.append(byte)
            }
        }
        return .pass(output)
    }
}
