import Subprocess
import VICCore

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// What a finished command printed, and how it ended.
public struct CommandResult: Sendable {
    /// The exit status, or 128 plus the signal number when the process was killed, as a shell reports it.
    public let status: Int32
    /// Everything written to stdout, up to 4 MiB, decoded as UTF-8.
    public let standardOutput: String
    /// Everything written to stderr, up to 4 MiB, decoded as UTF-8.
    public let standardError: String
    /// Whether the command exited with status 0.
    public var succeeded: Bool { status == 0 }
}

/// Runs short-lived helper programs (iproute2, udhcpc) and collects their output.
/// Never forks from Swift: swift-subprocess spawns. Output is capped at 4 MiB per stream.
public enum Command {
    /// Runs `executable` (an absolute path or a name looked up on PATH) and returns its result
    /// whatever the exit status.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil
    ) async throws -> CommandResult {
        let exe: Executable = executable.hasPrefix("/")
            ? .path(FilePath(executable)) : .name(executable)
        var env = Environment.inherit
        if !environment.isEmpty {
            env = .inherit.updating(Dictionary(uniqueKeysWithValues: environment.map {
                (Environment.Key(stringLiteral: $0.key), Optional($0.value))
            }))
        }
        do {
            let result = try await Subprocess.run(
                exe, arguments: Arguments(arguments), environment: env,
                input: .string(stdin ?? ""),
                output: .string(limit: 4 << 20), error: .string(limit: 4 << 20))
            let status: Int32
            switch result.terminationStatus {
            case .exited(let code): status = code
            case .signaled(let signal): status = 128 + signal
            }
            return CommandResult(
                status: status, standardOutput: result.standardOutput,
                standardError: result.standardError)
        } catch {
            throw VICError.wrapping(error, "cannot run \(executable)", code: .unavailable)
        }
    }

    /// Runs the command and throws a `VICError` carrying its stderr when it exits non-zero.
    @discardableResult
    public static func check(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil
    ) async throws -> String {
        let result = try await run(executable, arguments, environment: environment, stdin: stdin)
        guard result.succeeded else {
            let detail = result.standardError.trimmingWhitespace()
            throw VICError(
                .internal,
                "\(executable) \(arguments.joined(separator: " ")) failed (exit \(result.status))"
                    + (detail.isEmpty ? "" : ": \(detail)"))
        }
        return result.standardOutput
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    public func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }),
              let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
