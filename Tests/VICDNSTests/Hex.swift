/// Bytes from annotated hex: whitespace and `#` comments to the end of a line are ignored.
func hex(_ text: String) -> [UInt8] {
    let digits = text.split(separator: "\n").map { line in
        line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }.joined().filter { $0.isHexDigit }
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex, let next = digits.index(index, offsetBy: 2, limitedBy: digits.endIndex) {
        if let byte = UInt8(digits[index..<next], radix: 16) { bytes.append(byte) }
        index = next
    }
    return bytes
}
