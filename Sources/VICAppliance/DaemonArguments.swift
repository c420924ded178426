import VICConfig
import VICCore

/// vchd's command line: `vchd --name NAME [--state-root DIR] [--run-root DIR]`.
public struct DaemonArguments: Sendable, Equatable {
    /// The VCH to serve (`--name`, required).
    public var name: String
    /// The state and run roots (`--state-root`, `--run-root`), defaults otherwise.
    public var paths: VCHPaths

    /// Parses the arguments after the program name.
    public static func parse(_ arguments: [String]) throws -> DaemonArguments {
        var name: String?
        var paths = VCHPaths()
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else {
                throw VICError(.invalidArgument, "vchd: \(flag) needs a value")
            }
            switch flag {
            case "--name": name = value
            case "--state-root": paths.stateRoot = value
            case "--run-root": paths.runRoot = value
            default: throw VICError(.invalidArgument, "vchd: unknown flag \(flag)")
            }
        }
        guard let name else { throw VICError(.invalidArgument, "vchd: --name is required") }
        return DaemonArguments(name: name, paths: paths)
    }
}
