import ArgumentParser
import Foundation
import VICConfig
import VICCore
import VICPlumbing

struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete a VCH and everything vic-machine create made for it.")

    @OptionGroup var common: NameOption
    @Flag(name: .customLong("keep-certificates"), help: "Keep the generated certificates.")
    var keepCertificates = false
    @Flag(name: [.customLong("force"), .customShort("f")], help: "Accepted for VIC compatibility.")
    var force = false

    func run() async throws {
        let console = Console()
        let paths = VCHPaths.fromEnvironment()
        let journalPath = paths.journalFile(common.name)
        guard FileManager.default.fileExists(atPath: journalPath) else {
            throw VICError(.notFound, "--name: VCH \(quoted(common.name)) not found")
        }
        console.info("### Removing VCH \(common.name) ####")
        var journal = try HostChangeJournal(path: journalPath)
        let failures = await Teardown(links: IPRoute2(), console: console)
            .run(&journal, keepCertificates: keepCertificates)
        guard failures.isEmpty else {
            for failure in failures { console.error(failure.description) }
            console.error("vic-machine-linux delete failed: run it again to retry what is left")
            throw ExitCode(1)
        }
        console.info("Completed successfully")
    }
}
