import VICConfig
import VICCore
import VICPlumbing

/// Turns `CreateOptions` into a `CreatePlan`, or reports every problem in one pass.
/// Pure: it reads only the `HostSnapshot` and changes nothing.
public struct CreateValidator: Sendable {
    /// The port group used for the public network when none is named, as on vSphere.
    public static let defaultPublicNetwork = "VM Network"
    /// `--bridge-network-range`'s default.
    public static let defaultBridgeRange = "172.16.0.0/12"
    /// `--bridge-network-width`'s default.
    public static let defaultBridgeWidth = 16

    /// The flags to validate.
    public var options: CreateOptions
    /// The host state to validate against; read, never changed.
    public var host: HostSnapshot
    /// Where relative paths (`--tls-cert-path`) are resolved.
    public var workingDirectory: String
    /// Checks a `--tls-ca` file, throwing a `VICError` with a message naming the problem.
    public var checkCAFile: @Sendable (String) throws -> Void

    /// A validator; `checkCAFile` is the only way it touches the file system besides path checks.
    public init(
        options: CreateOptions, host: HostSnapshot, workingDirectory: String,
        checkCAFile: @escaping @Sendable (String) throws -> Void
    ) {
        self.options = options
        self.host = host
        self.workingDirectory = workingDirectory
        self.checkCAFile = checkCAFile
    }

    /// Validates everything; `plan` is nil exactly when `report.problems` is not empty.
    public func validate() -> (plan: CreatePlan?, report: ValidationReport) {
        var report = ValidationReport()
        let name = options.name
        validateName(into: &report)
        validateIgnoredFlags(into: &report)
        let bridgeRange = parseBridgeRange(into: &report)
        let portGroups = PortGroupResolver(links: host.links)

        // The bridge network: found, or created (with a short link name if its name is long).
        let bridgeLabel = options.bridgeNetwork ?? name
        var toCreate: [PortGroupToCreate] = []
        var bridgeLink = portGroups.resolve(bridgeLabel)
        if bridgeLink == nil {
            if let other = host.links.first(where: { $0.name == bridgeLabel || $0.alias == bridgeLabel }) {
                report.fail("--bridge-network", "network '\(bridgeLabel)' is \(other.name), which is not a bridge")
            } else {
                let link = PortGroupNaming.linkName(for: bridgeLabel, prefix: "vicbr-")
                toCreate.append(PortGroupToCreate(linkName: link, alias: bridgeLabel, hostAddress: nil))
                report.note("Bridge network \(quoted(bridgeLabel)) not found: creating it as \(link), with no uplink")
                bridgeLink = link
            }
        }

        // The appliance's own networks, or the embedded host-only default.
        var roles = RoleNetworks()
        let embedded = !options.namesApplianceNetworks
            && portGroups.resolve(CreateValidator.defaultPublicNetwork) == nil
        if embedded {
            if let hostOnly = planHostOnly(into: &report) {
                toCreate.append(hostOnly.portGroup)
                roles = hostOnly.roles
            }
        } else {
            roles = resolveRoles(portGroups, into: &report)
        }

        if let bridgeLink {
            for role in [NetworkRole.public, .client, .management] where roles.link[role] == bridgeLink {
                report.fail("--bridge-network",
                    "the bridge network must not be shared with another network role - \(role.rawValue) also uses \(quoted(roles.label[role] ?? bridgeLabel))")
            }
        }

        let declared = ContainerNetworkFlags.parse(options, into: &report)
        var containerNetworks: [ContainerNetwork] = []
        for network in declared {
            guard let link = portGroups.resolve(network.portGroup) else {
                report.fail("--container-network",
                    "Error adding container network \(quoted(network.portGroup)): network '\(network.portGroup)' not found."
                        + portGroups.suggestions(flag: "--container-network"))
                continue
            }
            if link == bridgeLink {
                report.fail("--container-network",
                    "the bridge network must not be shared with another network role - \(quoted(network.portGroup)) also mapped as container network \(quoted(network.name))")
            }
            if let subnet = network.gateway?.network, let bridgeRange, subnet.overlaps(bridgeRange) {
                report.fail("--container-network-gateway",
                    "container network \(quoted(network.name)) subnet \(subnet) overlaps the bridge network range \(bridgeRange); choose another subnet or --bridge-network-range")
            }
            containerNetworks.append(ContainerNetwork(
                portGroup: link, name: network.name, gateway: network.gateway, ranges: network.ranges,
                dnsServers: network.dnsServers, trust: network.trust))
        }

        var dns = parseDNSServers(into: &report)
        let nicPlan = NICPlanner(name: name, roles: roles, bridgeLink: bridgeLink ?? "")
            .plan(into: &report)
        if dns.isEmpty && nicPlan.nics.allSatisfy({ !$0.usesDHCP || $0.roles == [.bridge] }) {
            if embedded {
                dns = Array(host.hostResolvers.prefix(3))
            } else {
                dns = [IPv4Address(0x0808_0808), IPv4Address(0x0808_0404)]
                report.note("All networks are static and no --dns-server was given: using 8.8.8.8 and 8.8.4.4")
            }
        }

        let tls = validateTLS(into: &report)
        validateRegistries(into: &report)
        validateRuntime(into: &report)
        let volumeStores = parseVolumeStores(into: &report)
        if let store = options.imageStore, !store.hasPrefix("/") {
            report.fail("--image-store", "path \(quoted(store)) must be absolute")
        }

        guard report.isValid, let bridgeRange, let bridgeLink,
              let width = Int(options.bridgeNetworkWidth ?? "\(CreateValidator.defaultBridgeWidth)")
        else { return (nil, report) }
        var plan = CreatePlan(
            name: name, namespace: "vch-\(name)", nics: nicPlan.nics, sharingLines: nicPlan.sharingLines,
            bridge: BridgeNetwork(portGroup: bridgeLink, range: bridgeRange, width: width),
            portGroupsToCreate: toCreate, containerNetworks: containerNetworks, dnsServers: dns,
            tlsEnabled: !options.noTLS, tlsCAFiles: tls.caFiles,
            tlsCommonName: options.tlsCommonName ?? name, certificateDirectory: tls.directory,
            imageStore: options.imageStore, registryMirrors: options.registryMirrors,
            insecureRegistries: options.insecureRegistries, embeddedDefault: embedded)
        plan.containerRuntime = options.containerRuntime
        plan.volumeStores = volumeStores
        return (plan, report)
    }
}
