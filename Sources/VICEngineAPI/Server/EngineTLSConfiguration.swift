import NIOSSL
import VICCore

/// TLS for a TCP listener: the server's certificate chain and key, and optionally the CAs
/// whose client certificates are accepted (`--tlsverify`).
///
/// With `clientCAPaths` non-empty, every client must present a certificate that chains to one
/// of those CAs; host names are not checked (clients connect by IP). TLS 1.2 is the minimum.
public struct EngineTLSConfiguration: Sendable, Hashable {
    /// PEM file with the server certificate first, then any intermediates.
    public var certificateChainPath: String
    /// PEM file with the server's private key.
    public var privateKeyPath: String
    /// PEM files of client CAs. Empty means no client authentication.
    public var clientCAPaths: [String]

    /// TLS from PEM files.
    public init(certificateChainPath: String, privateKeyPath: String, clientCAPaths: [String] = []) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.clientCAPaths = clientCAPaths
    }

    /// Whether clients must present a certificate signed by one of `clientCAPaths`.
    public var requiresClientCertificates: Bool { !clientCAPaths.isEmpty }

    /// Reads the files and builds the context shared by all connections of a listener.
    ///
    /// - Throws: `VICError` `.invalidArgument` naming the file that cannot be read or parsed.
    func makeContext() throws(VICError) -> NIOSSLContext {
        let chain = try load("server certificate", certificateChainPath) { try NIOSSLCertificate.fromPEMFile($0) }
        guard !chain.isEmpty else {
            throw VICError(.invalidArgument, "server certificate \(certificateChainPath) holds no PEM certificate")
        }
        let key = try load("server key", privateKeyPath) { try NIOSSLPrivateKey(file: $0, format: .pem) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        if requiresClientCertificates {
            var authorities: [NIOSSLCertificate] = []
            for path in clientCAPaths {
                authorities += try load("client CA", path) { try NIOSSLCertificate.fromPEMFile($0) }
            }
            guard !authorities.isEmpty else {
                throw VICError(.invalidArgument, "client CA files \(clientCAPaths) hold no PEM certificate")
            }
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(authorities)
            configuration.sendCANameList = true
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw VICError(.invalidArgument, "TLS configuration with \(certificateChainPath)", underlying: error)
        }
    }

    private func load<Value>(
        _ what: String, _ path: String, _ body: (String) throws -> Value
    ) throws(VICError) -> Value {
        do {
            return try body(path)
        } catch {
            throw VICError(.invalidArgument, "read \(what) \(path)", underlying: error)
        }
    }
}
