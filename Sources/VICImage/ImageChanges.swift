import Foundation
import VICCore

/// The Dockerfile instructions `docker import --change` may apply to an image's run
/// configuration: `CMD`, `ENTRYPOINT`, `ENV`, `EXPOSE`, `LABEL`, `USER`, `VOLUME`, `WORKDIR`,
/// `STOPSIGNAL`. `CMD` and `ENTRYPOINT` take the JSON form (`CMD ["sh"]`) or the shell form
/// (`CMD echo hi`, run as `/bin/sh -c "echo hi"`).
public enum ImageChanges {
    /// Applies each change in order to `config`.
    ///
    /// - Throws: `.invalidArgument` for an unknown instruction or a malformed argument.
    public static func apply(_ changes: [String], to config: inout ImageConfiguration.RunConfig) throws {
        for change in changes {
            let trimmed = change.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let parts = trimmed.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            let instruction = parts[0].uppercased()
            let argument = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
            switch instruction {
            case "CMD": config.Cmd = try command(argument, change)
            case "ENTRYPOINT": config.Entrypoint = try command(argument, change)
            case "ENV":
                for (key, value) in try pairs(argument, change) {
                    var env = (config.Env ?? []).filter { !$0.hasPrefix(key + "=") }
                    env.append("\(key)=\(value)")
                    config.Env = env
                }
            case "LABEL":
                for (key, value) in try pairs(argument, change) { config.Labels = (config.Labels ?? [:]).merging([key: value]) { $1 } }
            case "EXPOSE":
                for port in try words(argument, change) {
                    let spec = port.contains("/") ? port : port + "/tcp"
                    guard let number = spec.split(separator: "/").first, UInt16(number) != nil else {
                        throw VICError(.invalidArgument, "invalid change \(change): bad port \(port)")
                    }
                    config.ExposedPorts = (config.ExposedPorts ?? [:]).merging([spec: .init()]) { $1 }
                }
            case "VOLUME":
                let paths = argument.hasPrefix("[") ? try jsonList(argument, change) : try words(argument, change)
                for path in paths { config.Volumes = (config.Volumes ?? [:]).merging([path: .init()]) { $1 } }
            case "USER": config.User = try single(argument, change)
            case "WORKDIR": config.WorkingDir = try single(argument, change)
            case "STOPSIGNAL": config.StopSignal = try single(argument, change)
            default:
                throw VICError(.invalidArgument, "\(parts[0]) is not a valid change command")
            }
        }
    }

    static func command(_ argument: String, _ change: String) throws -> [String] {
        if argument.hasPrefix("["), let list = try? jsonList(argument, change) { return list }
        guard !argument.isEmpty else { throw VICError(.invalidArgument, "invalid change \(change): no command") }
        return ["/bin/sh", "-c", argument]
    }

    static func jsonList(_ argument: String, _ change: String) throws -> [String] {
        guard let list = try? JSONDecoder().decode([String].self, from: Data(argument.utf8)) else {
            throw VICError(.invalidArgument, "invalid change \(change): not a JSON list of strings")
        }
        return list
    }

    static func single(_ argument: String, _ change: String) throws -> String {
        let list = try words(argument, change)
        guard list.count == 1, let only = list.first else {
            throw VICError(.invalidArgument, "invalid change \(change): takes exactly one argument")
        }
        return only
    }

    /// `KEY=VALUE …`, or the older `KEY VALUE` (one pair, the value the rest of the line).
    static func pairs(_ argument: String, _ change: String) throws -> [(String, String)] {
        let list = try words(argument, change)
        guard let first = list.first else { throw VICError(.invalidArgument, "invalid change \(change): no name") }
        if !first.contains("=") {
            let rest = argument.dropFirst(first.count).trimmingCharacters(in: .whitespaces)
            guard !rest.isEmpty else { throw VICError(.invalidArgument, "invalid change \(change): no value for \(first)") }
            return [(first, rest)]
        }
        return try list.map { word in
            guard let eq = word.firstIndex(of: "="), eq != word.startIndex else {
                throw VICError(.invalidArgument, "invalid change \(change): \(word) is not NAME=VALUE")
            }
            return (String(word[..<eq]), String(word[word.index(after: eq)...]))
        }
    }

    /// Words split at blanks; double or single quotes group, a backslash escapes one character.
    static func words(_ text: String, _ change: String) throws -> [String] {
        var result: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quote != "'" {
                escaped = true
                inWord = true
            } else if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character == " " || character == "\t" {
                if inWord { result.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        guard quote == nil, !escaped else { throw VICError(.invalidArgument, "invalid change \(change): unterminated quote") }
        if inWord { result.append(current) }
        return result
    }
}
