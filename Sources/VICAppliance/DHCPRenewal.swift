import Logging
import ServiceLifecycle
import VICConfig
import VICCore
import VICPlumbing
import VICSystem

/// Keeps the DHCP leases of the appliance's dynamic NICs: one udhcpc per NIC, in the foreground,
/// requesting the address vic-machine obtained and renewing it. A client that exits is restarted
/// after a pause. Runs inside the appliance namespace.
public struct DHCPRenewal: Service {
    let configuration: VCHConfiguration
    let client: DHCPClient
    let logger: Logger

    /// Prepares clients whose lease files live in the VCH's run directory; nothing starts until `run()`.
    public init(configuration: VCHConfiguration, paths: VCHPaths, logger: Logger) {
        self.configuration = configuration
        self.client = DHCPClient(leaseDirectory: paths.runDirectory(configuration.name))
        self.logger = logger
    }

    /// Runs one udhcpc per dynamic non-bridge NIC until graceful shutdown, installing the lease
    /// hook first. Returns at once when no NIC uses DHCP. Changes the NICs' addresses and routes
    /// in the appliance namespace; needs CAP_NET_ADMIN there.
    public func run() async throws {
        let dynamic = configuration.nics.filter { $0.usesDHCP && $0.name != NetworkRole.bridge.rawValue }
        guard !dynamic.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        try client.installHook()
        await withTaskGroup(of: Void.self) { group in
            for nic in dynamic {
                group.addTask { await keepLease(nic) }
            }
        }
    }

    /// Runs udhcpc until shutdown; cancellation (graceful shutdown) terminates it.
    func keepLease(_ nic: ApplianceNIC) async {
        let arguments = client.arguments(
            interface: nic.name, hostname: configuration.name, requesting: nic.address?.address, oneShot: false)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            logger.info("DHCP client for \(nic.name) starting")
            let result = await cancelWhenGracefulShutdown {
                try? await Command.run(client.busybox, arguments, environment: ["VIC_LEASE_DIR": client.leaseDirectory])
            }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            logger.warning("DHCP client for \(nic.name) exited (status \(result.map { String($0.status) } ?? "unknown")); restarting in 2s")
            try? await Task.sleep(for: .seconds(2))
        }
    }
}
