import Foundation
import VICCore
import VICSystem

/// Where a VCH's TLS files live: one directory holding the names the docker CLI expects in
/// `DOCKER_CERT_PATH` (`ca.pem`, `cert.pem`, `key.pem`) plus the server's pair and the CA key.
///
/// The value only computes paths; it touches nothing on disk.
public struct CertificateFiles: Sendable, Hashable {
    /// The CA certificate file name.
    public static let caCertificateName = "ca.pem"
    /// The CA private key file name.
    public static let caKeyName = "ca-key.pem"
    /// The server certificate file name.
    public static let serverCertificateName = "server-cert.pem"
    /// The server private key file name.
    public static let serverKeyName = "server-key.pem"
    /// The client certificate file name, as the docker CLI expects it.
    public static let clientCertificateName = "cert.pem"
    /// The client private key file name, as the docker CLI expects it.
    public static let clientKeyName = "key.pem"

    /// Permissions of certificate files: world-readable.
    public static let certificateMode: mode_t = 0o644
    /// Permissions of private key files: owner only.
    public static let keyMode: mode_t = 0o600
    /// Permissions of a directory this module creates: owner only.
    public static let directoryMode: mode_t = 0o700

    /// The directory holding every file.
    public let directory: String

    /// Names the files in `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// `ca.pem`: the CA certificate that clients trust.
    public var caCertificate: String { path(Self.caCertificateName) }
    /// `ca-key.pem`: the CA private key (PKCS#8 PEM, mode 0600).
    public var caKey: String { path(Self.caKeyName) }
    /// `server-cert.pem`: the Docker API server certificate.
    public var serverCertificate: String { path(Self.serverCertificateName) }
    /// `server-key.pem`: the server private key (PKCS#8 PEM, mode 0600).
    public var serverKey: String { path(Self.serverKeyName) }
    /// `cert.pem`: the client certificate for the docker CLI.
    public var clientCertificate: String { path(Self.clientCertificateName) }
    /// `key.pem`: the client private key (PKCS#8 PEM, mode 0600).
    public var clientKey: String { path(Self.clientKeyName) }

    private func path(_ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}

extension CertificateFiles {
    /// Creates the directory with mode 0700 if it is missing; an existing directory keeps its mode.
    func prepareDirectory() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw VICError(.invalidArgument, "certificate path \(directory) exists and is not a directory")
            }
            return
        }
        try AtomicFile.makeDirectory(directory, mode: Self.directoryMode)
        // FileManager applies the mode after mkdir, but say it explicitly so a umask never widens it.
        guard chmod(directory, Self.directoryMode) == 0 else { throw errnoError("chmod \(directory)") }
    }

    /// Replaces `path` crash-safely (temporary file in the same directory, fsync, rename).
    func write(_ text: String, to path: String, mode: mode_t) throws {
        let body = text.hasSuffix("\n") ? text : text + "\n"
        try AtomicFile.write(Data(body.utf8), to: path, mode: mode)
    }

    /// The text of `path`, or nil when it does not exist or cannot be read.
    static func readText(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
