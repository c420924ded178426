import Foundation

/// An HTTP/1.1 response parsed from raw bytes, for pipeline and live tests.
struct RawResponse: Sendable {
    var statusLine: String
    /// Header names lowercased.
    var headers: [String: String]
    var body: String

    /// One response from the front of `bytes`, and how many bytes it took; `nil` if incomplete.
    /// A response to HEAD must be parsed with `bodyless`.
    static func parse(_ bytes: [UInt8], bodyless: Bool = false) -> (RawResponse, Int)? {
        let separator = Array("\r\n\r\n".utf8)
        guard bytes.count >= 4,
            let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == separator })
        else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        let length = bodyless ? 0 : headers["content-length"].flatMap(Int.init) ?? 0
        let bodyStart = end + 4
        guard bytes.count >= bodyStart + length else { return nil }
        let body = String(decoding: bytes[bodyStart..<bodyStart + length], as: UTF8.self)
        return (RawResponse(statusLine: lines.first ?? "", headers: headers, body: body), bodyStart + length)
    }

    /// Every complete response in `bytes`, in order.
    static func parseAll(_ bytes: [UInt8]) -> [RawResponse] {
        var rest = bytes[...]
        var responses: [RawResponse] = []
        while let (response, used) = parse(Array(rest)) {
            responses.append(response)
            rest = rest.dropFirst(used)
        }
        return responses
    }
}
