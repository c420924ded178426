import Foundation
import VICCore

/// `docker images` filters, as Docker's daemon applies them: `reference` (a glob over the
/// familiar name with or without tag, which also narrows the tags shown), `dangling`, `label`,
/// `before`, `since` (images created before or after a given image) and `until` (a time).
/// Values of one filter are alternatives, except `label` where all must hold.
public struct ImageListFilter: Sendable {
    /// The filter names `docker images` may send; any other is refused with `.invalidArgument`.
    public static let acceptedKeys: Set<String> = ["before", "dangling", "label", "reference", "since", "until"]

    var references: [String] = []
    var dangling: Bool?
    var labels: [String] = []
    var before: Date?
    var since: Date?
    var until: Date?

    /// A filter from `fields` (filter name → values). `resolve` finds the images `before` and
    /// `since` name; `until` is already a date.
    ///
    /// - Throws: `.invalidArgument` for an unknown filter or a bad `dangling` value;
    ///   `.notFound` when `before`/`since` name no image.
    public init(_ fields: [String: [String]], until: Date? = nil, resolve: (String) throws -> ImageRecord) throws {
        if let unknown = fields.keys.sorted().first(where: { !ImageListFilter.acceptedKeys.contains($0) }) {
            throw VICError(.invalidArgument, "invalid filter '\(unknown)'")
        }
        references = fields["reference"] ?? []
        labels = fields["label"] ?? []
        dangling = try FilterBool.parse("dangling", fields["dangling"] ?? [])
        // Docker keeps the last value given; any would do for one image.
        before = try fields["before"]?.map { try resolve($0).created }.max()
        since = try fields["since"]?.map { try resolve($0).created }.min()
        self.until = until
    }

    /// The images that pass, in the given order, with their tags and digests narrowed to the
    /// references that match. An image that ends up with neither is dangling.
    public func apply(_ records: [ImageRecord]) -> [ImageRecord] {
        records.compactMap { record in
            var image = record
            if let before, image.created >= before { return nil }
            if let since, image.created <= since { return nil }
            if let until, image.created > until { return nil }
            if !labels.isEmpty {
                let present = image.configuration.config?.Labels ?? [:]
                let satisfied = labels.allSatisfy { filter in
                    let parts = filter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    guard let actual = present[String(parts[0])] else { return false }
                    return parts.count == 1 || actual == String(parts[1])
                }
                if !satisfied { return nil }
            }
            if !references.isEmpty {
                image.repoTags = image.repoTags.filter(matchesReference)
                image.repoDigests = image.repoDigests.filter(matchesReference)
                if image.repoTags.isEmpty && image.repoDigests.isEmpty { return nil }
            }
            switch dangling {
            case true?: if !image.repoTags.isEmpty { return nil }
            case false?: if image.repoTags.isEmpty && image.repoDigests.isEmpty { return nil }
            case nil: break
            }
            return image
        }
    }

    /// Docker's `FamiliarMatch`: the pattern matches "name:tag" (or "name@digest"), or the name.
    func matchesReference(_ reference: String) -> Bool {
        let name: Substring
        if let at = reference.firstIndex(of: "@") {
            name = reference[..<at]
        } else if let colon = reference.lastIndex(of: ":"), !reference[colon...].contains("/") {
            name = reference[..<colon]
        } else {
            name = Substring(reference)
        }
        return references.contains { pattern in
            Glob.matches(pattern, reference) || Glob.matches(pattern, String(name))
        }
    }
}

/// Go's `path.Match`: `*` any run of characters other than `/`, `?` one such character,
/// `[…]` a class (with ranges and `^` negation), `\` escapes.
public enum Glob {
    /// Whether `pattern` matches the whole of `text`; a malformed pattern matches nothing.
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        match(Array(pattern), 0, Array(text), 0)
    }

    static func match(_ pattern: [Character], _ p: Int, _ text: [Character], _ t: Int) -> Bool {
        if p == pattern.count { return t == text.count }
        switch pattern[p] {
        case "*":
            var end = t
            while true {
                if match(pattern, p + 1, text, end) { return true }
                guard end < text.count, text[end] != "/" else { return false }
                end += 1
            }
        case "?":
            return t < text.count && text[t] != "/" && match(pattern, p + 1, text, t + 1)
        case "[":
            guard t < text.count, let (matched, next) = matchClass(pattern, p + 1, text[t]) else { return false }
            return matched && match(pattern, next, text, t + 1)
        case "\\" where p + 1 < pattern.count:
            return t < text.count && text[t] == pattern[p + 1] && match(pattern, p + 2, text, t + 1)
        default:
            return t < text.count && text[t] == pattern[p] && match(pattern, p + 1, text, t + 1)
        }
    }

    /// Whether `character` is in the class starting at `start` (after `[`), and where the class
    /// ends; nil for a malformed class.
    static func matchClass(_ pattern: [Character], _ start: Int, _ character: Character) -> (Bool, Int)? {
        var index = start
        var negated = false
        if index < pattern.count, pattern[index] == "^" {
            negated = true
            index += 1
        }
        var matched = false
        var first = true
        while index < pattern.count {
            if pattern[index] == "]" && !first { return (matched != negated, index + 1) }
            first = false
            var low = pattern[index]
            if low == "\\", index + 1 < pattern.count {
                index += 1
                low = pattern[index]
            }
            var high = low
            if index + 2 < pattern.count, pattern[index + 1] == "-", pattern[index + 2] != "]" {
                high = pattern[index + 2]
                index += 2
            }
            if low <= character && character <= high { matched = true }
            index += 1
        }
        return nil
    }
}
