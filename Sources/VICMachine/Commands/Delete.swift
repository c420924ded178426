import ArgumentParser
import Foundation
import VICConfig
import VICCore
import VICPlumbing
import VICSystem

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
        let journalPath = try common.existingJournal(paths)
        console.info("### Removing VCH \(common.name) ####")
        // Volumes are user data: their stores outlive the VCH.
        let volumeStores = (try? ConfigurationStore(paths: paths).load(common.name))?.volumeStores ?? []
        removeContainers(paths.socketPath(common.name), console: console)
        var journal = try HostChangeJournal(path: journalPath)
        let failures = await Teardown(links: IPRoute2(), console: console)
            .run(&journal, keepCertificates: keepCertificates)
        guard failures.isEmpty else {
            for failure in failures { console.error(failure.description) }
            console.error("vic-machine-linux delete failed: run it again to retry what is left")
            throw ExitCode(1)
        }
        for store in volumeStores {
            console.info("Volume store \(store.label) kept with its volumes: \(store.path)")
        }
        console.info("Completed successfully")
    }

    /// Asks vchd to force-remove every container, so each one's namespace, NIC, mount and shim go
    /// the ordinary way. Teardown still sweeps what is left when vchd does not answer.
    func removeContainers(_ socket: String, console: Console) {
        guard let list = try? LocalHTTP.request(socketPath: socket, path: "/containers/json?all=1", timeout: 10),
              list.status == 200,
              let containers = try? JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [[String: Any]]
        else { return }
        for id in containers.compactMap({ $0["Id"] as? String }) {
            let removed = try? LocalHTTP.request(
                socketPath: socket, method: "DELETE", path: "/containers/\(id)?force=1", timeout: 30)
            if removed?.status != 204 {
                console.warn("container \(id.prefix(12)) was not removed by vchd (\(removed?.status ?? 0)); sweeping it")
            }
        }
    }
}
