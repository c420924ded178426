import VICCore

/// A parsed image reference, normalised as Docker does: `busybox` is
/// `docker.io/library/busybox:latest`.
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    /// Docker Hub's domain, assumed when a reference names none.
    public static let defaultDomain = "docker.io"

    /// The registry host, with port if any ("docker.io", "10.0.0.9:5000").
    public var domain: String
    /// The repository path inside the registry ("library/busybox").
    public var path: String
    /// The tag as written; nil when none was given ("latest" is then implied unless pinned by digest).
    public var tag: String?
    /// "sha256:<64 hex>" when pinned by digest.
    public var digest: String?

    /// Parses `[domain/]path[:tag][@digest]`. Names must be lowercase, as Docker requires.
    public init(parsing text: String) throws {
        func invalid(_ why: String) -> VICError {
            VICError(.invalidArgument, "invalid reference format: \(text): \(why)")
        }
        guard !text.isEmpty, text.count <= 4096 else { throw invalid("empty or too long") }
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            let digest = String(rest[rest.index(after: at)...])
            guard ImageReference.isDigest(digest) else { throw invalid("bad digest") }
            self.digest = digest
            rest = rest[..<at]
        } else {
            digest = nil
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if components.count > 1, let first = components.first,
           first.contains(".") || first.contains(":") || first == "localhost" {
            guard ImageReference.isDomain(first) else { throw invalid("bad registry host \(first)") }
            domain = first
            components.removeFirst()
        } else {
            domain = ImageReference.defaultDomain
        }
        guard var last = components.popLast() else { throw invalid("no name") }
        if let colon = last.lastIndex(of: ":") {
            let tag = String(last[last.index(after: colon)...])
            guard ImageReference.isTag(tag) else { throw invalid("bad tag") }
            self.tag = tag
            last = String(last[..<colon])
        } else {
            tag = nil
        }
        components.append(last)
        guard components.allSatisfy(ImageReference.isPathComponent) else {
            throw invalid("repository name must be lowercase letters, digits and separators")
        }
        if domain == ImageReference.defaultDomain && components.count == 1 {
            components.insert("library", at: 0)
        }
        path = components.joined(separator: "/")
        if tag == nil && digest == nil { tag = "latest" }
    }

    /// "docker.io/library/busybox".
    public var repository: String { "\(domain)/\(path)" }

    /// The short name Docker shows: "busybox", "user/app", "10.0.0.9:5000/app".
    public var familiarRepository: String {
        guard domain == ImageReference.defaultDomain else { return repository }
        return path.hasPrefix("library/") ? String(path.dropFirst("library/".count)) : path
    }

    /// The tag or digest to ask the registry for.
    public var manifestReference: String { digest ?? tag ?? "latest" }

    /// The familiar form: "busybox:latest", "10.0.0.9:5000/app@sha256:…".
    public var description: String {
        var text = familiarRepository
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    static func isDigest(_ text: String) -> Bool {
        guard text.hasPrefix("sha256:") else { return false }
        return Identifier.isFull(String(text.dropFirst(7)))
    }

    /// `host[:port]`: letters, digits, dots and dashes, then an optional numeric port.
    static func isDomain(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty,
              parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") })
        else { return false }
        return parts.count == 1 || UInt16(parts[1]) != nil
    }

    static func isTag(_ text: String) -> Bool {
        guard let first = text.first, text.count <= 128, first.isASCII, first.isLetter || first.isNumber || first == "_"
        else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    static func isPathComponent(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last,
              first.isLowercaseAlnum, last.isLowercaseAlnum else { return false }
        var previous: Character = first
        var underscores = 0
        for character in text.dropFirst() {
            if character.isLowercaseAlnum {
                underscores = 0
            } else if character == "." || character == "_" {
                if character == "_" { underscores += 1 } else { underscores = 2 }
                if underscores > 2 || (character == "." && !previous.isLowercaseAlnum) { return false }
                if character == "_" && previous != "_" && !previous.isLowercaseAlnum { return false }
            } else if character == "-" {
                if previous == "." || previous == "_" { return false }
            } else {
                return false
            }
            previous = character
        }
        return true
    }
}

extension Character {
    var isLowercaseAlnum: Bool { isASCII && (isNumber || (isLetter && isLowercase)) }
}
