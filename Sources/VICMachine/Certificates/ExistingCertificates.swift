import Foundation
import SwiftASN1
import VICCore
import X509

/// What a certificate directory already holds, and whether it can be reused for a server
/// identity. Reads files; never writes.
enum ExistingCertificates {
    /// The outcome of looking at a directory.
    enum Verdict: Sendable {
        /// None of the four files of a server set exists.
        case absent
        /// A complete, valid set; the CA can sign a new client certificate if needed.
        case reusable(CertificateAuthority)
        /// Some files exist but cannot be reused, for the reason given (a sentence fragment).
        case unusable(String)
    }

    /// Decides whether `files` holds a reusable CA and server certificate for `identity` at `now`.
    static func evaluate(_ files: CertificateFiles, for identity: ServerIdentity, now: Date) -> Verdict {
        let required = [files.caCertificate, files.caKey, files.serverCertificate, files.serverKey]
        let missing = required.filter { !FileManager.default.fileExists(atPath: $0) }
        if missing.count == required.count { return .absent }
        if !missing.isEmpty {
            let names = missing.map { ($0 as NSString).lastPathComponent }
            return .unusable("incomplete set: missing \(names.joined(separator: ", "))")
        }
        do {
            let ca = try loadPair(certificate: files.caCertificate, key: files.caKey)
            let server = try loadPair(certificate: files.serverCertificate, key: files.serverKey)
            if let problem = reuseProblem(ca: ca.certificate, server: server.certificate, for: identity, at: now) {
                return .unusable(problem)
            }
            return .reusable(CertificateAuthority(ca))
        } catch let error as VICError {
            return .unusable(error.description)
        } catch {
            return .unusable("\(error)")
        }
    }

    /// Why `ca` and `server` cannot serve `identity` at `now`, or nil when they can.
    /// Pure: assumes each key has already been matched to its certificate.
    static func reuseProblem(
        ca: Certificate, server: Certificate, for identity: ServerIdentity, at now: Date
    ) -> String? {
        guard case .some(.isCertificateAuthority) = try? ca.extensions.basicConstraints else {
            return "ca.pem is not a CA certificate"
        }
        if let problem = validityProblem(of: ca, named: "ca.pem", at: now) { return problem }
        if let problem = validityProblem(of: server, named: "server-cert.pem", at: now) { return problem }
        guard CertificateAuthority.isSignature(of: ca, on: server) else {
            return "server-cert.pem is not signed by ca.pem"
        }
        if let usages = try? server.extensions.extendedKeyUsage,
            !usages.contains(.serverAuth), !usages.contains(.any)
        {
            return "server-cert.pem is not for server authentication"
        }
        let missing = identity.missingNames(in: try? server.extensions.subjectAlternativeNames)
        guard missing.isEmpty else {
            return "server-cert.pem does not cover \(missing.joined(separator: ", "))"
        }
        return nil
    }

    /// Why `certificate` is not valid at `now`, or nil.
    static func validityProblem(of certificate: Certificate, named name: String, at now: Date) -> String? {
        if now < certificate.notValidBefore { return "\(name) is not valid before \(certificate.notValidBefore)" }
        if now >= certificate.notValidAfter { return "\(name) expired on \(certificate.notValidAfter)" }
        return nil
    }

    /// Reads a certificate (the first in its file) and a private key (PKCS#8, SEC1 or RSA PEM),
    /// and checks that the key belongs to the certificate.
    static func loadPair(certificate certificatePath: String, key keyPath: String) throws -> IssuedCertificate {
        let certificateName = (certificatePath as NSString).lastPathComponent
        let keyName = (keyPath as NSString).lastPathComponent
        guard let certificateText = CertificateFiles.readText(certificatePath) else {
            throw VICError(.invalidArgument, "\(certificateName) cannot be read")
        }
        guard let keyText = CertificateFiles.readText(keyPath) else {
            throw VICError(.invalidArgument, "\(keyName) cannot be read")
        }
        let certificate: Certificate
        do {
            guard
                let document = try PEMDocument.parseMultiple(pemString: certificateText)
                    .first(where: { $0.discriminator == "CERTIFICATE" })
            else {
                throw VICError(.invalidArgument, "\(certificateName) holds no certificate")
            }
            certificate = try Certificate(pemDocument: document)
        } catch let error as VICError {
            throw error
        } catch {
            throw VICError(.invalidArgument, "\(certificateName) cannot be parsed", underlying: error)
        }
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyText)
        } catch {
            throw VICError(.invalidArgument, "\(keyName) cannot be parsed", underlying: error)
        }
        guard key.publicKey == certificate.publicKey else {
            throw VICError(.invalidArgument, "\(keyName) does not match \(certificateName)")
        }
        return IssuedCertificate(certificate: certificate, privateKey: key)
    }
}
