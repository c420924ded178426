import ArgumentParser
import Foundation
import VICConfig
import VICCore
import VICPlumbing
import VICSystem

/// The `vic-machine` command: deploys and manages Virtual Container Hosts on this Linux host.
public struct VicMachine: AsyncParsableCommand {
    /// The command's name, version and subcommands: create, delete, start, inspect, ls, version.
    public static let configuration = CommandConfiguration(
        commandName: "vic-machine",
        abstract: "Create and manage Virtual Container Hosts on this Linux host.",
        version: vicVersion,
        subcommands: [Create.self, Delete.self, Start.self, Inspect.self, List.self, Version.self])

    /// Required by ArgumentParser; the root command itself has no options.
    public init() {}

    /// Runs the command line. Usage errors print one line naming the flag; vic errors print
    /// their message; both exit non-zero.
    public static func runMain(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as VICError {
            Console().error(error.message)
            return 1
        } catch let error as ExitCode {
            return error.rawValue
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                return 0
            }
            FileHandle.standardError.write(Data("vic-machine: \(message(for: error))\n".utf8))
            return code.rawValue
        }
    }
}

/// vic's version string.
public let vicVersion = "0.1.0"

/// Options every subcommand that names a VCH shares.
struct NameOption: ParsableArguments {
    @Option(name: [.customLong("name"), .customShort("n")], help: "The name of the VCH.")
    var name = "virtual-container-host"

    @Option(name: [.customLong("target"), .customShort("t")], help: "Accepted for VIC compatibility; vic always acts on this host.")
    var target: String?

    /// The journal of the named VCH, which exists for every VCH create made.
    /// - Throws: `--name: VCH "X" not found`.
    func existingJournal(_ paths: VCHPaths) throws -> String {
        let journalPath = paths.journalFile(name)
        guard FileManager.default.fileExists(atPath: journalPath) else {
            throw VICError(.notFound, "--name: VCH \(quoted(name)) not found")
        }
        return journalPath
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the vic-machine version.")
    func run() { print("vic-machine version \(vicVersion)") }
}

extension VCHPaths {
    /// vchd next to this vic-machine, unless VIC_VCHD names another.
    static func vchdExecutable() -> String {
        if let override = ProcessInfo.processInfo.environment["VIC_VCHD"] { return override }
        return Processes.siblingExecutable("vchd")
    }
}
