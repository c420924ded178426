import ArgumentParser
import Foundation
import VICConfig
import VICCore
import VICSystem

struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a VCH's configuration, its NICs and how to connect.")

    @OptionGroup var common: NameOption
    @Flag(name: .customLong("json"), help: "Print the stored configuration as JSON.")
    var json = false

    func run() async throws {
        let paths = VCHPaths.fromEnvironment()
        let configuration = try ConfigurationStore(paths: paths).load(common.name)
        if json {
            print(String(decoding: try ConfigurationStore.encode(configuration), as: UTF8.self))
            return
        }
        let console = Console()
        console.info("VCH \(configuration.name) (ID \(Identifier.short(configuration.id)))")
        console.info("Appliance namespace: \(configuration.namespace)")
        console.info("vchd: \(DaemonStatus(paths: paths, name: configuration.name).description)")
        for nic in configuration.nics {
            let mode = nic.name == NetworkRole.bridge.rawValue ? "" : nic.usesDHCP ? " (DHCP)" : " (static)"
            console.info("NIC \(nic.name): roles \(nic.roles.map(\.rawValue).joined(separator: ",")), port group \(nic.portGroup), host link \(nic.hostLink), address \(nic.address?.description ?? "-")\(mode)")
        }
        if let subnet = configuration.bridge.defaultSubnet {
            console.info("Bridge network: bridge \(subnet) on port group \(configuration.bridge.portGroup)")
        }
        for network in configuration.containerNetworks {
            console.info("Container network \(network.name): port group \(network.portGroup), gateway \(network.gateway?.description ?? "DHCP"), ranges \(network.ranges.map(\.description).joined(separator: ",")), dns \(network.dnsServers.map(\.description).joined(separator: ",")), firewall \(network.trust.rawValue)")
        }
        console.info("DNS servers: \(configuration.dnsServers.map(\.description).joined(separator: ", "))")
        for store in configuration.volumeStores ?? [] {
            console.info("Volume store \(store.label): \(store.path)")
        }
        console.info("Container runtime: \(configuration.containerRuntime ?? "chosen by vchd (crun on pure cgroup v2, else runc)")")
        ConnectionSummary(configuration: configuration).print(to: console)
    }
}

/// Whether a VCH's daemon answers on its control socket.
struct DaemonStatus: CustomStringConvertible {
    let paths: VCHPaths
    let name: String

    var isRunning: Bool {
        (try? LocalHTTP.request(socketPath: paths.socketPath(name), path: "/_ping", timeout: 2))?.status == 200
    }

    var description: String { isRunning ? "running" : "not answering" }
}
