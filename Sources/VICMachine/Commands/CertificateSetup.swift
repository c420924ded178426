import VICCore

/// Adapts the certificate generator to `ApplianceBuilder` and validation.
enum CertificateSetup {
    static func issue(name: String, directory: String, ips: [IPv4Address], dnsNames: [String]) throws -> Bool {
        throw VICError(.notImplemented, "certificates: pending")
    }

    static func checkClientCAFile(_ path: String) throws {
        throw VICError(.notImplemented, "certificates: pending")
    }
}
