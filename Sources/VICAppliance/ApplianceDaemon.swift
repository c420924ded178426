import Foundation
import Logging
import ServiceLifecycle
import VICConfig
import VICCore
import VICEngineAPI
import VICImage
import VICPlumbing
import VICPortLayer
import VICRuntime
import VICSystem

/// vchd: the appliance daemon of one VCH. It runs inside the appliance network namespace and
/// serves the Docker API on the client IP only, plus a local control socket for vic-machine.
public enum ApplianceDaemon {
    /// The first thing vchd does, while it has one thread: reads its arguments and configuration
    /// and moves into the appliance's network namespace, which every later thread inherits.
    /// Privilege: CAP_SYS_ADMIN.
    public static func prepare(_ arguments: [String]) throws -> (DaemonArguments, VCHConfiguration) {
        let parsed = try DaemonArguments.parse(arguments)
        let configuration = try ConfigurationStore(paths: parsed.paths).load(parsed.name)
        try Processes.enterNetworkNamespace("/run/netns/\(configuration.namespace)")
        return (parsed, configuration)
    }

    /// Starts every service and runs until SIGTERM or SIGINT, then shuts down gracefully.
    public static func run(_ arguments: DaemonArguments, _ configuration: VCHConfiguration) async throws {
        var logger = Logger(label: "vchd")
        logger.logLevel = ProcessInfo.processInfo.environment["VIC_DEBUG"] == nil ? .info : .debug
        let paths = arguments.paths
        let name = configuration.name
        try AtomicFile.makeDirectory(paths.runDirectory(name), mode: 0o700)
        try AtomicFile.write(Data("\(getpid())\n".utf8), to: paths.pidFile(name))

        let store = try ContentStore(root: configuration.imageStore)
        let client = RegistryClient(insecureRegistries: configuration.insecureRegistries)
        do {
            try await serve(configuration, paths: paths, store: store, client: client, logger: logger)
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
        unlink(paths.pidFile(name))
        logger.info("vchd stopped; containers keep running under their shims")
    }

    static func serve(
        _ configuration: VCHConfiguration, paths: VCHPaths, store: ContentStore, client: RegistryClient, logger: Logger
    ) async throws {
        let name = configuration.name
        let images = ImageService(store: store, client: client, mirrors: configuration.registryMirrors,
                                  architecture: HostFacts.read().architecture)
        let runtime = try RuntimeCLI.choose(
            preference: ProcessInfo.processInfo.environment["VIC_RUNTIME"] ?? configuration.containerRuntime,
            root: "\(paths.runDirectory(name))/runtime")
        let links = IPRoute2()
        let scopes = NetworkScope.builtins(of: configuration)
        let applianceNetwork = ApplianceNetwork(links: links, configuration: configuration)
        let containers = try ContainerManager(
            root: "\(paths.stateDirectory(name))/containers", scopes: scopes, images: images, runtime: runtime,
            shimPath: Processes.siblingExecutable("vic-shim"),
            networking: ContainerNetworking(links: links, hostNamespace: configuration.hostNamespace,
                                            namespacePrefix: configuration.namespace + "-"),
            firewall: ApplianceFirewall(configuration: configuration),
            ports: PublishingPolicy.allocator(for: configuration),
            bridgeGateways: applianceNetwork, bridgeRange: configuration.bridge.range,
            volumeStores: VolumeStores(locations: configuration.volumeStores ?? []), logger: logger)
        // Every bridge scope, the user networks reloaded by the manager included.
        try await applianceNetwork.apply(scopes: await containers.networkScopes)
        await containers.load()
        try await containers.applyFirewall()
        let adopted = await containers.list().count
        logger.info("runtime \(runtime.executable), \(adopted) containers")

        let backend = ApplianceBackend(configuration: configuration, containers: containers, images: images,
                                       runtime: runtime, facts: HostFacts.read())
        let server = EngineServer(backend: backend, logger: logger,
                                  build: EngineBuild(version: vchdVersion, gitCommit: "unknown"))
        try await server.start(listeners(configuration, paths: paths))

        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: EngineService(server: server)),
                .init(service: DHCPRenewal(configuration: configuration, paths: paths, logger: logger)),
                .init(service: ContainerNameDirectory(containers: containers)
                    .dnsServer(upstreams: configuration.dnsServers, logger: logger)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// The client IP on 2376 (TLS) or 2375, and the control socket.
    static func listeners(_ configuration: VCHConfiguration, paths: VCHPaths) throws -> [EngineListener] {
        guard let clientIP = configuration.nic(for: .client)?.address?.address else {
            throw VICError(.invalidState, "the client network has no address")
        }
        var tls: EngineTLSConfiguration?
        if configuration.tls.enabled {
            guard let directory = configuration.tls.certificateDirectory else {
                throw VICError(.invalidState, "TLS is on but there is no certificate directory")
            }
            tls = EngineTLSConfiguration(
                certificateChainPath: "\(directory)/server-cert.pem", privateKeyPath: "\(directory)/server-key.pem",
                clientCAPaths: configuration.tls.clientCAFiles)
        }
        return [
            .tcp(host: clientIP.description, port: configuration.apiPort, tls: tls),
            .unixSocket(path: paths.socketPath(configuration.name)),
        ]
    }

}

/// Runs the API server inside the service group: it is already listening; graceful shutdown
/// stops accepting and lets requests in flight finish.
struct EngineService: Service {
    let server: EngineServer

    func run() async throws {
        try? await gracefulShutdown()
        await server.shutdown()
    }
}
