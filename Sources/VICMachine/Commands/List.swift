import ArgumentParser
import Foundation
import VICConfig
import VICCore

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the VCHs on this host.")

    func run() async throws {
        let paths = VCHPaths.fromEnvironment()
        let store = ConfigurationStore(paths: paths)
        let rows: [[String]] = store.names().map { name in
            guard let configuration = try? store.load(name) else {
                return ["-", name, "-", "-", "incomplete (delete it)"]
            }
            let summary = ConnectionSummary(configuration: configuration)
            return [Identifier.short(configuration.id), name, configuration.namespace, summary.dockerHost,
                    DaemonStatus(paths: paths, name: name).description]
        }
        let header = ["ID", "NAME", "NAMESPACE", "DOCKER HOST", "STATUS"]
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        for row in all {
            print(row.indices.map { column in
                row[column].padding(toLength: widths[column] + 3, withPad: " ", startingAt: 0)
            }.joined().trimmingCharacters(in: .whitespaces))
        }
    }
}
