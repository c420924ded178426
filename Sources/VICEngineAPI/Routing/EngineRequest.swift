import NIOHTTP1

/// One HTTP request as the router sees it: method, decoded path, query and the body, whole in
/// memory or, for the routes whose bodies can be larger than memory, streamed.
///
/// Independent of any channel, so routes are tested in memory.
public struct EngineRequest: Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The percent-decoded path, still with any `/vX.Y` prefix.
    public var path: String
    /// Query parameters by name, values in order of appearance, `+` and percent escapes decoded.
    public var query: [String: [String]]
    /// The request headers as received.
    public var headers: HTTPHeaders
    /// The whole request body (bounded by the server); empty when `streamedBody` is set.
    public var body: [UInt8]
    /// The body as it arrives, for the routes the server streams (`docker load`, `docker
    /// import`, `docker cp`); `nil` when the body is in `body`.
    public var streamedBody: EngineRequestBody?

    /// The body as a sequence of parts, wherever it is: read it once.
    public var bodyParts: EngineRequestBody { streamedBody ?? EngineRequestBody(bytes: body) }

    /// Splits `uri` (`/v1.45/networks?filters=...`) into path and query.
    public init(
        method: HTTPMethod, uri: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
        streamedBody: EngineRequestBody? = nil
    ) {
        self.method = method
        self.headers = headers
        self.body = body
        self.streamedBody = streamedBody
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let rawPath = parts.first.map(String.init) ?? ""
        path = Self.percentDecoded(rawPath, plusIsSpace: false)
        query = parts.count > 1 ? Self.parseQuery(parts[1]) : [:]
    }

    /// The first value of a query parameter.
    public func queryValue(_ name: String) -> String? {
        query[name]?.first
    }

    /// A boolean query parameter as Docker's clients send it ("1" or "true").
    public func queryFlag(_ name: String) -> Bool {
        ["1", "true", "True"].contains(queryValue(name) ?? "")
    }

    static func parseQuery(_ text: Substring) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let halves = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecoded(halves[0], plusIsSpace: true)
            let value = halves.count > 1 ? percentDecoded(halves[1], plusIsSpace: true) : ""
            result[name, default: []].append(value)
        }
        return result
    }

    /// Decodes `%XX` escapes (and `+` in a query). A malformed escape is kept as written, as Go's
    /// lenient parsers do for paths.
    static func percentDecoded(_ text: some StringProtocol, plusIsSpace: Bool) -> String {
        let bytes = Array(text.utf8)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                decoded.append(high << 4 | low)
                index += 3
                continue
            }
            decoded.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
