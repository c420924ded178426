import Foundation
import VICConfig
import VICCore
import VICPlumbing
import VICSystem

/// Builds a VCH appliance from a validated `CreatePlan`: port groups, namespace, NICs,
/// addresses, certificates, configuration, and the `vchd` process. Every host change is
/// recorded in the journal before it is made; on any failure the journal is replayed backwards
/// and nothing is left behind.
///
/// Privilege: root (CAP_NET_ADMIN and CAP_SYS_ADMIN in the caller's network namespace).
public struct ApplianceBuilder: Sendable {
    /// Writes (or reuses) the TLS files in `directory` for the given server IPs and names.
    /// Returns true when it generated them.
    public typealias CertificateIssuer = @Sendable (
        _ name: String, _ directory: String, _ ips: [IPv4Address], _ dnsNames: [String]
    ) throws -> Bool

    /// Creates namespaces, bridges, veths and addresses (iproute2 outside tests).
    public let links: any LinkControl
    /// Where the VCH's state and run directories go.
    public let paths: VCHPaths
    /// Where progress and rollback lines are printed.
    public let console: Console
    /// The vchd executable started, detached, inside the appliance namespace.
    public let vchdPath: String
    /// Writes or reuses the TLS files when TLS is on.
    public let issueCertificates: CertificateIssuer
    /// How long to wait for vchd to answer on its control socket.
    public var readinessTimeout: Duration = .seconds(30)

    /// Wires the builder; nothing on the host changes until `create(_:)`.
    public init(
        links: any LinkControl, paths: VCHPaths, console: Console, vchdPath: String,
        issueCertificates: @escaping CertificateIssuer
    ) {
        self.links = links
        self.paths = paths
        self.console = console
        self.vchdPath = vchdPath
        self.issueCertificates = issueCertificates
    }

    /// Creates the VCH. On failure everything made so far is undone, and the error (plus any
    /// rollback failure) is thrown.
    public func create(_ plan: CreatePlan) async throws -> VCHConfiguration {
        let stateDirectory = paths.stateDirectory(plan.name)
        guard mkdir(stateDirectory, 0o700) == 0 || (errno == ENOENT && makeParents(stateDirectory)) else {
            throw errnoError("create \(stateDirectory)", code: errno == EEXIST ? .conflict : .internal)
        }
        var journal: HostChangeJournal
        do {
            journal = try HostChangeJournal(path: paths.journalFile(plan.name))
            try journal.record(.directory(path: stateDirectory))
        } catch {
            rmdir(stateDirectory)
            throw error
        }
        do {
            return try await build(plan, journal: &journal)
        } catch {
            console.error("Create failed: \(error)")
            console.info("Rolling back")
            let failures = await Teardown(links: links, console: console).run(&journal)
            for failure in failures { console.error("Rollback: \(failure)") }
            throw error
        }
    }

    private func makeParents(_ path: String) -> Bool {
        (try? AtomicFile.makeDirectory((path as NSString).deletingLastPathComponent, mode: 0o755)) != nil
            && mkdir(path, 0o700) == 0
    }

    private func build(_ plan: CreatePlan, journal: inout HostChangeJournal) async throws -> VCHConfiguration {
        let runDirectory = paths.runDirectory(plan.name)
        try journal.record(.directory(path: runDirectory))
        try AtomicFile.makeDirectory(runDirectory, mode: 0o700)

        for portGroup in plan.portGroupsToCreate {
            console.info("Creating port group \(quoted(portGroup.alias)) as bridge \(portGroup.linkName), with no uplink")
            try journal.record(.link(name: portGroup.linkName))
            try await links.createBridge(named: portGroup.linkName, alias: portGroup.alias)
            if let address = portGroup.hostAddress {
                try journal.record(.address(address, link: portGroup.linkName))
                try await links.addAddress(address, to: portGroup.linkName, in: nil)
            }
        }

        console.info("Creating appliance namespace \(plan.namespace)")
        try journal.record(.namespace(name: plan.namespace))
        try await links.createNamespace(plan.namespace)
        let hostNamespace = plan.namespace + "-host"
        try journal.record(.namespaceName(name: hostNamespace))
        try await links.nameNamespace(hostNamespace, ofProcess: getpid())
        for line in plan.sharingLines { console.info(line) }

        var nics = plan.nics
        for index in nics.indices {
            let nic = nics[index]
            try journal.record(.link(name: nic.hostLink))
            try await links.createVethPair(hostName: nic.hostLink, peerName: nic.name, peerNamespace: plan.namespace)
            try await links.attach(link: nic.hostLink, toBridge: nic.portGroup)
            try await links.setUp(link: nic.hostLink, in: nil)
            try await links.setUp(link: nic.name, in: plan.namespace)
        }
        let dns = try await configureAddresses(&nics, plan: plan)
        for nic in nics where nic.name != NetworkRole.bridge.rawValue {
            console.info("Network role \(quoted(nic.name)) has address \(nic.address?.description ?? "none")"
                + (nic.usesDHCP ? " (DHCP)" : " (static)"))
        }

        guard let clientIP = nics.first(where: { $0.roles.contains(.client) })?.address?.address else {
            throw VICError(.internal, "the client network has no address")
        }
        var tls = TLSSettings(enabled: plan.tlsEnabled, certificateDirectory: nil, clientCAFiles: plan.tlsCAFiles,
                              generatedCertificates: false)
        if plan.tlsEnabled, let directory = plan.certificateDirectory {
            let existed = FileManager.default.fileExists(atPath: directory)
            if !existed { try journal.record(.certificates(directory: directory)) }
            let generated = try issueCertificates(plan.name, directory, [clientIP], [plan.tlsCommonName])
            console.info(generated
                ? "Generated CA, server and client certificates in \(directory)"
                : "Reusing the certificates in \(directory)")
            tls.certificateDirectory = directory
            tls.generatedCertificates = !existed
        }

        var configuration = VCHConfiguration(
            name: plan.name, id: Identifier.random(), created: Date(), namespace: plan.namespace,
            hostNamespace: hostNamespace, nics: nics,
            bridge: plan.bridge, containerNetworks: plan.containerNetworks, dnsServers: dns, tls: tls,
            imageStore: plan.imageStore ?? "\(paths.stateDirectory(plan.name))/images",
            registryMirrors: plan.registryMirrors, insecureRegistries: plan.insecureRegistries,
            networkIDs: Dictionary(uniqueKeysWithValues:
                (["bridge"] + plan.containerNetworks.map(\.name)).map { ($0, Identifier.random()) }))
        configuration.containerRuntime = plan.containerRuntime
        configuration.volumeStores = plan.volumeStores
        try ConfigurationStore(paths: paths).save(configuration)

        try await startDaemon(configuration, journal: &journal)
        return configuration
    }

    /// Static addresses, or a DHCP lease per dynamic NIC; then routes. Returns the VCH's DNS
    /// servers: the plan's, else those the leases offered (public first).
    private func configureAddresses(_ nics: inout [ApplianceNIC], plan: CreatePlan) async throws -> [IPv4Address] {
        let dhcp = DHCPClient(leaseDirectory: paths.runDirectory(plan.name))
        var leasedDNS: [IPv4Address] = []
        for index in nics.indices where nics[index].name != NetworkRole.bridge.rawValue {
            let nic = nics[index]
            if let address = nic.staticAddress {
                try await links.addAddress(address, to: nic.name, in: plan.namespace)
                nics[index].address = address
            } else {
                console.info("Waiting for a DHCP lease on \(quoted(nic.name)) (port group \(nic.portGroup))")
                let lease = try await dhcp.acquire(interface: nic.name, hostname: plan.name, namespace: plan.namespace)
                nics[index].address = lease.address
                nics[index].dhcpRouters = lease.routers
                leasedDNS += lease.dnsServers.filter { !leasedDNS.contains($0) }
            }
            try await applyRoutes(nics[index], namespace: plan.namespace)
        }
        return plan.dnsServers.isEmpty ? Array(leasedDNS.prefix(3)) : plan.dnsServers
    }

    /// The public NIC holds the default route; other roles route only their gateway's destinations.
    func applyRoutes(_ nic: ApplianceNIC, namespace: String) async throws {
        if nic.roles.contains(.public) {
            if let gateway = nic.gateway?.address ?? nic.dhcpRouters.first {
                try await links.replaceRoute(to: nil, via: gateway, device: nic.name, in: namespace)
            }
        } else if let gateway = nic.gateway {
            for destination in gateway.destinations {
                try await links.replaceRoute(to: destination, via: gateway.address, device: nic.name, in: namespace)
            }
        }
    }
}
