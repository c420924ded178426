/// A Docker API path template such as `/containers/{id}/json`, matched segment by segment.
///
/// A `{parameter}` takes one or more whole segments, like Docker's `{name:.*}` routes, so image
/// references with slashes (`/images/library/busybox/json`) bind `name` to
/// `library/busybox`. Empty segments (a trailing or doubled `/`) are ignored.
struct PathTemplate: Sendable, Hashable, CustomStringConvertible {
    enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(String)
    }

    /// An operation of the API: a method on a template.
    struct Operation: Sendable, Hashable, CustomStringConvertible {
        let method: String
        let template: PathTemplate

        init(_ method: String, _ template: String) {
            self.method = method
            self.template = PathTemplate(template)
        }

        var description: String { "\(method) \(template)" }
    }

    let description: String
    let segments: [Segment]

    init(_ text: String) {
        description = text
        segments = text.split(separator: "/").map { part in
            if part.hasPrefix("{"), part.hasSuffix("}") {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(String(part))
        }
    }

    /// How many literal segments the template has; more literals means a more specific match.
    var literalCount: Int {
        segments.count(where: { if case .literal = $0 { true } else { false } })
    }

    /// The parameters bound by matching `path`, or `nil` when it does not match.
    func match(_ path: String) -> [String: String]? {
        let parts = path.split(separator: "/").map(String.init)
        var bindings: [String: String] = [:]
        return Self.match(segments[...], parts[...], &bindings) ? bindings : nil
    }

    /// Backtracking match; a parameter tries the shortest span first, so a literal after it wins.
    private static func match(
        _ segments: ArraySlice<Segment>, _ parts: ArraySlice<String>, _ bindings: inout [String: String]
    ) -> Bool {
        guard let segment = segments.first else { return parts.isEmpty }
        switch segment {
        case .literal(let text):
            guard parts.first == text else { return false }
            return match(segments.dropFirst(), parts.dropFirst(), &bindings)
        case .parameter(let name):
            // The remaining segments need at least one part each.
            let reserved = segments.count - 1
            guard parts.count > reserved else { return false }
            for length in 1...(parts.count - reserved) {
                var attempt = bindings
                attempt[name] = parts.prefix(length).joined(separator: "/")
                if match(segments.dropFirst(), parts.dropFirst(length), &attempt) {
                    bindings = attempt
                    return true
                }
            }
            return false
        }
    }
}
