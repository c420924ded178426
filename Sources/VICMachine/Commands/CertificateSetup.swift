import VICCore

/// Adapts the certificate generator to `ApplianceBuilder` and validation.
enum CertificateSetup {
    /// Writes or reuses the CA, server and client certificates; true when it generated them.
    static func issue(name: String, directory: String, ips: [IPv4Address], dnsNames: [String]) throws -> Bool {
        try CertificateBundle.prepare(
            name: name, ipAddresses: ips.map(\.description), dnsNames: dnsNames, in: directory
        ).wasGenerated
    }

    /// Validation of a `--tls-ca` file before anything changes.
    static func checkClientCAFile(_ path: String) throws { _ = try ClientCAFile(path: path) }
}
