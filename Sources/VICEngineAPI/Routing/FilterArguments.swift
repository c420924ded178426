import Foundation
import VICCore

/// Docker's `filters` query parameter: a JSON map from filter name to values.
///
/// Two encodings are accepted, as by Docker's `filters.FromJSON`: the current
/// `{"name": {"web": true}}` and the legacy `{"name": ["web"]}`. Every key of the inner map
/// counts as a value, whatever its boolean. Matching follows Docker's `filters.Args`: values of
/// one key are alternatives (any may match), different keys must all match.
struct FilterArguments: Sendable, Equatable {
    private(set) var fields: [String: Set<String>]

    init(_ fields: [String: Set<String>] = [:]) {
        self.fields = fields
    }

    /// Parses the query parameter; an absent or empty parameter means no filters.
    ///
    /// - Throws: `VICError` `.invalidArgument` `invalid filter` when it is neither encoding.
    init(json text: String?) throws(VICError) {
        guard let text, !text.isEmpty else {
            self.init()
            return
        }
        let data = Data(text.utf8)
        let decoder = JSONDecoder()
        if let current = try? decoder.decode([String: [String: Bool]].self, from: data) {
            self.init(current.mapValues { Set($0.keys) })
        } else if let legacy = try? decoder.decode([String: [String]].self, from: data) {
            self.init(legacy.mapValues { Set($0) })
        } else {
            throw VICError(.invalidArgument, "invalid filter")
        }
    }

    var isEmpty: Bool { fields.isEmpty }

    /// Rejects a filter name outside `accepted` with Docker's `invalid filter 'X'`.
    func validate(accepting accepted: Set<String>) throws(VICError) {
        if let unknown = fields.keys.sorted().first(where: { !accepted.contains($0) }) {
            throw VICError(.invalidArgument, "invalid filter '\(unknown)'")
        }
    }

    func contains(_ key: String) -> Bool { fields[key] != nil }

    /// A boolean filter (`dangling`, `all`) as Docker reads it (`FilterBool`); nil when absent.
    func bool(_ key: String) throws(VICError) -> Bool? { try FilterBool.parse(key, values(key)) }

    /// The values given for `key`, sorted for stable messages.
    func values(_ key: String) -> [String] { fields[key].map { $0.sorted() } ?? [] }

    /// Whether any value equals `source` or, read as a regular expression, matches inside it
    /// (Docker's `Match`). A value that is not a valid expression matches as a substring.
    func match(_ key: String, _ source: String) -> Bool {
        values(key).contains { value in
            if value == source || source.contains(value) { return true }
            guard let expression = try? Regex(value) else { return false }
            return source.contains(expression)
        }
    }

    /// Whether any value equals `source` exactly.
    func exactMatch(_ key: String, _ source: String) -> Bool {
        fields[key]?.contains(source) ?? false
    }

    /// Whether any value is a prefix of `source` (how vic matches IDs).
    func prefixMatch(_ key: String, _ source: String) -> Bool {
        values(key).contains { source.hasPrefix($0) }
    }

    /// Whether `labels` satisfy every `key` or `key=value` value (Docker's `MatchKVList`).
    func matchLabels(_ key: String, _ labels: [String: String]) -> Bool {
        values(key).allSatisfy { filter in
            let parts = filter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let actual = labels[String(parts[0])] else { return false }
            return parts.count == 1 || actual == String(parts[1])
        }
    }
}
