import ArgumentParser
import Foundation
import VICConfig
import VICCore
import VICPlumbing

struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy a Virtual Container Host.",
        discussion: """
            With no network flags on a host that has no "VM Network", vic makes a host-only port \
            group for the public, client and management roles (--host-only-network picks its subnet; \
            by default the first free /24 from 192.168.213.0/24) so the printed docker command works \
            from this host.
            """)

    @OptionGroup var common: NameOption

    @Option(name: [.customLong("bridge-network"), .customShort("b")], help: "Port group (bridge) for container traffic; created if missing. Default: the VCH name.")
    var bridgeNetwork: String?
    @Option(name: [.customLong("bridge-network-range"), .customLong("bnr")], help: "CIDR the bridge networks are cut from (default 172.16.0.0/12).")
    var bridgeNetworkRange: String?
    @Option(name: [.customLong("bridge-network-width"), .customLong("bnw")], help: "Prefix length of each bridge network (default 16).")
    var bridgeNetworkWidth: String?
    @Option(name: [.customLong("public-network"), .customLong("pn")], help: "Port group for published ports and NAT (default \"VM Network\").")
    var publicNetwork: String?
    @Option(name: [.customLong("external-network"), .customLong("en")], help: "Older name of --public-network.")
    var externalNetwork: String?
    @Option(name: [.customLong("client-network"), .customLong("cln")], help: "Port group where the Docker API is served (default: the public network).")
    var clientNetwork: String?
    @Option(name: [.customLong("management-network"), .customLong("mn")], help: "Port group for the VCH's own infrastructure traffic (default: the client network).")
    var managementNetwork: String?
    @Option(name: .customLong("public-network-ip"), help: "Static CIDR address on the public network.") var publicNetworkIP: String?
    @Option(name: .customLong("public-network-gateway"), help: "Gateway IP for the public network.") var publicNetworkGateway: String?
    @Option(name: .customLong("client-network-ip"), help: "Static CIDR address on the client network.") var clientNetworkIP: String?
    @Option(name: .customLong("client-network-gateway"), help: "[CIDR,…:]GW for the client network.") var clientNetworkGateway: String?
    @Option(name: .customLong("management-network-ip"), help: "Static CIDR address on the management network.") var managementNetworkIP: String?
    @Option(name: .customLong("management-network-gateway"), help: "[CIDR,…:]GW for the management network.") var managementNetworkGateway: String?
    @Option(name: .customLong("dns-server"), help: "DNS server for the VCH (repeatable, at most 3).") var dnsServer: [String] = []
    @Option(name: [.customLong("container-network"), .customLong("cn")], help: "PORTGROUP[:ALIAS] containers may join directly (repeatable).") var containerNetwork: [String] = []
    @Option(name: [.customLong("container-network-gateway"), .customLong("cng")], help: "PORTGROUP:GW/PREFIX") var containerNetworkGateway: [String] = []
    @Option(name: [.customLong("container-network-ip-range"), .customLong("cnr")], help: "PORTGROUP:RANGE (A-B, A-N or CIDR; repeatable)") var containerNetworkIPRange: [String] = []
    @Option(name: [.customLong("container-network-dns"), .customLong("cnd")], help: "PORTGROUP:IP (repeatable)") var containerNetworkDNS: [String] = []
    @Option(name: [.customLong("container-network-firewall"), .customLong("cnf")], help: "PORTGROUP:closed|outbound|published|open|peers") var containerNetworkFirewall: [String] = []
    @Option(name: .customLong("image-store"), help: "Directory for images (default /var/lib/vic/NAME/images).") var imageStore: String?
    @Option(name: .customLong("registry-mirror"), help: "Registry mirror URL (repeatable).") var registryMirror: [String] = []
    @Option(name: .customLong("insecure-registry"), help: "HOST[:PORT] reached over plain HTTP (repeatable).") var insecureRegistry: [String] = []
    @Option(name: .customLong("container-runtime"), help: "OCI runtime for containers: crun or runc (default: crun on a pure cgroup v2 host, else runc).") var containerRuntime: String?
    @Option(name: .customLong("volume-store"), help: "DIR:LABEL, a host directory for volumes (repeatable; LABEL default serves docker volume create and -v).") var volumeStore: [String] = []
    @Flag(name: .customLong("no-tls"), help: "Serve the Docker API in plain text on 2375.") var noTLS = false
    @Option(name: .customLong("tls-ca"), help: "CA file whose certificates clients must present (repeatable); enables --tlsverify.") var tlsCA: [String] = []
    @Option(name: .customLong("tls-cname"), help: "Name for the server certificate (default: the VCH name).") var tlsCName: String?
    @Option(name: .customLong("tls-cert-path"), help: "Where certificates are kept (default ./NAME).") var tlsCertPath: String?
    @Option(name: .customLong("host-only-network"), help: "Subnet of the host-only port group made when there is no \"VM Network\".") var hostOnlyNetwork: String?
    @Option(name: .customLong("compute-resource"), help: "vSphere only; ignored.") var computeResource: String?
    @Option(name: [.customLong("image-datastore"), .customShort("i")], help: "vSphere only; ignored.") var imageDatastore: String?
    @Option(name: .customLong("thumbprint"), help: "vSphere only; ignored.") var thumbprint: String?
    @Flag(name: .customLong("no-tlsverify"), help: "Accepted for VIC compatibility: client verification is on only with --tls-ca.") var noTLSVerify = false
    @Flag(name: [.customLong("force"), .customShort("f")], help: "Accepted for VIC compatibility.") var force = false

    func validate() throws {
        if publicNetwork != nil && externalNetwork != nil {
            throw ValidationError("--external-network is the older name of --public-network; give only one")
        }
    }

    var options: CreateOptions {
        var options = CreateOptions()
        options.name = common.name
        options.target = common.target
        options.bridgeNetwork = bridgeNetwork
        options.bridgeNetworkRange = bridgeNetworkRange
        options.bridgeNetworkWidth = bridgeNetworkWidth
        options.publicNetwork = publicNetwork ?? externalNetwork
        options.clientNetwork = clientNetwork
        options.managementNetwork = managementNetwork
        options.publicNetworkIP = publicNetworkIP
        options.publicNetworkGateway = publicNetworkGateway
        options.clientNetworkIP = clientNetworkIP
        options.clientNetworkGateway = clientNetworkGateway
        options.managementNetworkIP = managementNetworkIP
        options.managementNetworkGateway = managementNetworkGateway
        options.dnsServers = dnsServer
        options.containerNetworks = containerNetwork
        options.containerNetworkGateways = containerNetworkGateway
        options.containerNetworkIPRanges = containerNetworkIPRange
        options.containerNetworkDNS = containerNetworkDNS
        options.containerNetworkFirewalls = containerNetworkFirewall
        options.imageStore = imageStore
        options.registryMirrors = registryMirror
        options.insecureRegistries = insecureRegistry
        options.containerRuntime = containerRuntime
        options.volumeStores = volumeStore
        options.noTLS = noTLS
        options.tlsCAFiles = tlsCA
        options.tlsCommonName = tlsCName
        options.tlsCertPath = tlsCertPath
        options.hostOnlyNetwork = hostOnlyNetwork
        options.ignoredVSphereFlags = [
            computeResource.map { "--compute-resource \($0)" },
            imageDatastore.map { "--image-datastore \($0)" },
            thumbprint.map { "--thumbprint \($0)" },
        ].compactMap { $0 }
        return options
    }

    func run() async throws {
        let console = Console()
        let paths = VCHPaths.fromEnvironment()
        let links = IPRoute2()
        console.info("### Installing VCH ####")
        let snapshot = try await HostInspector(links: links, paths: paths).snapshot()
        let validator = CreateValidator(
            options: options, host: snapshot,
            workingDirectory: FileManager.default.currentDirectoryPath,
            checkCAFile: { try CertificateSetup.checkClientCAFile($0) })
        console.info("Validating supplied configuration")
        let (plan, report) = validator.validate()
        for note in report.notes { console.info(note) }
        for warning in report.warnings { console.warn(warning) }
        guard let plan else {
            for problem in report.problems { console.error(problem) }
            console.error("vic-machine-linux create failed")
            throw ExitCode(1)
        }
        console.info("Network configuration OK")
        let builder = ApplianceBuilder(
            links: links, paths: paths, console: console, vchdPath: VCHPaths.vchdExecutable(),
            issueCertificates: CertificateSetup.issue)
        let configuration: VCHConfiguration
        do {
            configuration = try await builder.create(plan)
        } catch {
            console.error("vic-machine-linux create failed")
            throw error
        }
        ConnectionSummary(configuration: configuration).print(to: console)
        console.info("Installer completed successfully")
    }
}
