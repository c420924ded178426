import VICConfig
import VICCore

/// The closing lines of `create` and the tail of `inspect`: how to reach the VCH.
struct ConnectionSummary {
    let configuration: VCHConfiguration

    var clientIP: String { configuration.nic(for: .client)?.address?.address.description ?? "unknown" }
    var publicIP: String { configuration.nic(for: .public)?.address?.address.description ?? "unknown" }
    var dockerHost: String { "\(clientIP):\(configuration.apiPort)" }

    /// The docker command line that works from the client network. Current docker CLIs read
    /// ca.pem from DOCKER_CERT_PATH even for `--tls`, so the command names the folder.
    var dockerCommand: String {
        let tls = configuration.tls
        if !tls.enabled { return "docker -H \(dockerHost) info" }
        guard let directory = tls.certificateDirectory else { return "docker -H \(dockerHost) --tls info" }
        if tls.verifiesClients {
            return "docker -H \(dockerHost) --tlsverify --tlscacert=\(directory)/ca.pem --tlscert=CLIENT-CERT --tlskey=CLIENT-KEY info"
        }
        return "DOCKER_CERT_PATH=\(directory) docker -H \(dockerHost) --tls info"
    }

    func print(to console: Console) {
        console.info("")
        if let directory = configuration.tls.certificateDirectory {
            console.info("DOCKER_CERT_PATH=\(directory)")
        }
        console.info("DOCKER_HOST=\(dockerHost)")
        console.info("")
        console.info("VCH Default Bridge Network Range: \(configuration.bridge.range)")
        console.info("VCH Default Bridge Network Width: \(configuration.bridge.width)")
        console.info("Published ports can be reached at:")
        console.info(publicIP)
        console.info("")
        console.info("Connect to docker:")
        console.info(dockerCommand)
    }
}
