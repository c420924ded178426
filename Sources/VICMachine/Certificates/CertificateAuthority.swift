import Crypto
import Foundation
import SwiftASN1
import VICCore
import X509

/// A certificate and the private key that matches it.
struct IssuedCertificate: Sendable {
    let certificate: Certificate
    let privateKey: Certificate.PrivateKey

    /// The certificate as PEM text (`-----BEGIN CERTIFICATE-----`).
    func certificatePEM() throws -> String {
        try certificate.serializeAsPEM().pemString
    }

    /// The private key as PKCS#8 PEM text (`-----BEGIN PRIVATE KEY-----`) for the keys this module
    /// generates; a reused key keeps the encoding it was loaded with.
    func privateKeyPEM() throws -> String {
        try privateKey.serializeAsPEM().pemString
    }
}

/// A VCH's certificate authority: a self-signed CA certificate and its key, which signs the
/// server and client certificates. Pure computation: nothing here touches the disk.
struct CertificateAuthority: Sendable {
    /// How far back `notValidBefore` is set, to tolerate clock skew between host and clients.
    static let backdating: TimeInterval = 3600
    /// The CA's lifetime: 10 years.
    static let caLifetime: TimeInterval = 10 * 365 * 86_400
    /// The server and client certificates' lifetime: 2 years.
    static let leafLifetime: TimeInterval = 2 * 365 * 86_400
    /// The organisation in every subject this module writes.
    static let organization = "vic"

    let issued: IssuedCertificate

    var certificate: Certificate { issued.certificate }

    /// Wraps an existing CA; the caller has checked that the key matches the certificate.
    init(_ issued: IssuedCertificate) {
        self.issued = issued
    }

    /// Generates a CA for the VCH `name`: ECDSA P-256, subject `CN=<name> CA, O=vic`,
    /// basicConstraints CA:true (critical), keyUsage keyCertSign+cRLSign (critical),
    /// valid from `now` − 1h for 10 years, random serial.
    static func generate(name: String, now: Date = Date()) throws -> CertificateAuthority {
        do {
            let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
            let subject = try DistinguishedName {
                OrganizationName(organization)
                CommonName("\(name) CA")
            }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
                notValidBefore: now - backdating, notValidAfter: now + caLifetime,
                issuer: subject, subject: subject, extensions: extensions, issuerPrivateKey: key)
            return CertificateAuthority(IssuedCertificate(certificate: certificate, privateKey: key))
        } catch {
            throw VICError.wrapping(error, "generate the CA certificate for \(name)")
        }
    }

    /// Issues the Docker API server certificate: `CN=<identity.commonName>, O=vic`, SANs for
    /// every IP and DNS name, EKU serverAuth, keyUsage digitalSignature+keyEncipherment
    /// (critical), basicConstraints CA:false (critical), valid for 2 years.
    func issueServerCertificate(for identity: ServerIdentity, now: Date = Date()) throws -> IssuedCertificate {
        do {
            return try issueLeaf(commonName: identity.commonName, now: now) { publicKey in
                try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([.serverAuth])
                    identity.subjectAlternativeNames
                    SubjectKeyIdentifier(hash: publicKey)
                    authorityKeyIdentifier
                }
            }
        } catch {
            throw VICError.wrapping(error, "issue the server certificate for \(identity.commonName)")
        }
    }

    /// Issues the docker CLI's client certificate: `CN=client, O=vic`, EKU clientAuth,
    /// keyUsage digitalSignature (critical), basicConstraints CA:false (critical), 2 years.
    func issueClientCertificate(now: Date = Date()) throws -> IssuedCertificate {
        do {
            return try issueLeaf(commonName: "client", now: now) { publicKey in
                try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.clientAuth])
                    SubjectKeyIdentifier(hash: publicKey)
                    authorityKeyIdentifier
                }
            }
        } catch {
            throw VICError.wrapping(error, "issue the client certificate")
        }
    }

    /// Whether `leaf` names this CA as its issuer and carries this CA's signature.
    func hasSigned(_ leaf: Certificate) -> Bool {
        Self.isSignature(of: certificate, on: leaf)
    }

    /// Whether `leaf` names `issuer` as its issuer and carries a valid signature by its key.
    static func isSignature(of issuer: Certificate, on leaf: Certificate) -> Bool {
        leaf.issuer == issuer.subject && issuer.publicKey.isValidSignature(leaf.signature, for: leaf)
    }

    /// The AKI extension for certificates this CA signs, so chain builders (OpenSSL, Go)
    /// match issuer and subject by key as well as by name.
    private var authorityKeyIdentifier: AuthorityKeyIdentifier {
        let keyID = (try? certificate.extensions.subjectKeyIdentifier)?.keyIdentifier
            ?? SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier
        return AuthorityKeyIdentifier(keyIdentifier: keyID)
    }

    private func issueLeaf(
        commonName: String, now: Date,
        extensions: (Certificate.PublicKey) throws -> Certificate.Extensions
    ) throws -> IssuedCertificate {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let subject = try DistinguishedName {
            OrganizationName(Self.organization)
            CommonName(commonName)
        }
        // A leaf never outlives its CA: chain validation would fail after the CA expires anyway.
        let notAfter = min(now + Self.leafLifetime, certificate.notValidAfter)
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now - Self.backdating, notValidAfter: notAfter,
            issuer: self.certificate.subject, subject: subject,
            extensions: try extensions(key.publicKey), issuerPrivateKey: issued.privateKey)
        return IssuedCertificate(certificate: certificate, privateKey: key)
    }
}
