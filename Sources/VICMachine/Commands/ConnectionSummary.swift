import VICConfig
import VICCore

/// The closing lines of `create` and the tail of `inspect`: how to reach the VCH.
struct ConnectionSummary {
    let configuration: VCHConfiguration

    var clientIP: String { configuration.nic(for: .client)?.address?.address.description ?? "unknown" }
    var publicIP: String { configuration.nic(for: .public)?.address?.address.description ?? "unknown" }
    var dockerHost: String { "\(clientIP):\(configuration.apiPort)" }

    /// The docker command line that works from the client network.
    var dockerCommand: String {
        let tls = configuration.tls
        if !tls.enabled { return "docker -H \(dockerHost) info" }
        if tls.verifiesClients, let directory = tls.certificateDirectory {
            return "docker -H \(dockerHost) --tlsverify --tlscacert=\(directory)/ca.pem --tlscert=\(directory)/cert.pem --tlskey=\(directory)/key.pem info"
        }
        return "docker -H \(dockerHost) --tls info"
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
