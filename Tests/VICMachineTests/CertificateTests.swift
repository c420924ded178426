import Crypto
import Foundation
import SwiftASN1
import Testing
import VICCore
import VICSystem
import X509
@testable import VICMachine

/// Certificate generation for `vic-machine create`: one nested suite per type, all under
/// `CertificateTests` so `swift test --filter CertificateTests` selects them.
@Suite enum CertificateTests {}

// MARK: - Fixtures

/// Runs `body` with a fresh, not yet existing directory path inside a per-test temporary root,
/// and removes the root afterwards even when `body` throws.
private func withCertificateDirectory<T>(
    _ body: (String) async throws -> T
) async throws -> T {
    let root = FileManager.default.temporaryDirectory.path + "/vic-cert-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    return try await body(root + "/certs")
}

private func readCertificate(_ path: String) throws -> Certificate {
    try Certificate(pemEncoded: String(contentsOfFile: path, encoding: .utf8))
}

private func readKey(_ path: String) throws -> P256.Signing.PrivateKey {
    try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: path, encoding: .utf8))
}

private func mode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return ((attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1) & 0o777
}

private func name(_ commonName: String) throws -> DistinguishedName {
    try DistinguishedName {
        OrganizationName("vic")
        CommonName(commonName)
    }
}

/// Validates `leaf` against `ca` as the only trust root with RFC 5280 (plus `serverIP`, if given).
private func verify(_ leaf: Certificate, against ca: Certificate, serverIP: String? = nil) async -> Bool {
    let roots = CertificateStore([ca])
    let result: CertificateValidationResult
    if let serverIP {
        var verifier = Verifier(rootCertificates: roots) {
            RFC5280Policy()
            ServerIdentityPolicy(serverHostname: nil, serverIP: serverIP)
        }
        result = await verifier.validate(leaf: leaf, intermediates: CertificateStore())
    } else {
        var verifier = Verifier(rootCertificates: roots) { RFC5280Policy() }
        result = await verifier.validate(leaf: leaf, intermediates: CertificateStore())
    }
    if case .validCertificate = result { return true }
    return false
}

/// Runs `/usr/bin/openssl`, an independent implementation to cross-check against, and returns
/// its trimmed output. Records a failure (does not skip) when openssl is missing or fails.
private func openssl(_ arguments: [String]) async throws -> String? {
    let openssl = "/usr/bin/openssl"
    guard FileManager.default.isExecutableFile(atPath: openssl) else {
        Issue.record("openssl is not installed at \(openssl): install it (apt-get install openssl) to cross-check the certificates")
        return nil
    }
    let result = try await Command.run(openssl, arguments)
    #expect(result.succeeded, "openssl \(arguments.joined(separator: " ")): \(result.standardError)")
    return result.succeeded ? result.standardOutput.trimmingWhitespace() : nil
}

/// `openssl verify` with `arguments`.
private func opensslVerify(_ arguments: [String]) async throws -> String? {
    try await openssl(["verify"] + arguments)
}

// MARK: - CertificateBundle

extension CertificateTests {
    @Suite struct CertificateBundleTests {
        @Test func generatesCAServerAndClientThatVerify() async throws {
            try await withCertificateDirectory { directory in
                let now = Date()
                let bundle = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: ["demo"], in: directory, now: now)
                #expect(bundle.origin == .generated)
                #expect(bundle.wasGenerated)
                #expect(bundle.replacementReason == nil)
                let files = bundle.files

                // The CA.
                let ca = try readCertificate(files.caCertificate)
                #expect(ca.subject == (try name("demo CA")))
                #expect(ca.issuer == ca.subject)
                #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
                #expect(ca.extensions[oid: .X509ExtensionID.basicConstraints]?.critical == true)
                #expect(try ca.extensions.keyUsage == KeyUsage(keyCertSign: true, cRLSign: true))
                #expect(abs(ca.notValidBefore.timeIntervalSince(now - 3600)) < 2)
                #expect(abs(ca.notValidAfter.timeIntervalSince(now + 3650 * 86_400)) < 2)

                // The server certificate.
                let server = try readCertificate(files.serverCertificate)
                #expect(server.subject == (try name("demo")))
                #expect(server.issuer == ca.subject)
                let sans = try #require(try server.extensions.subjectAlternativeNames)
                #expect(sans.contains(.ipAddress(ASN1OctetString(contentBytes: [10, 1, 2, 3]))))
                #expect(sans.contains(.dnsName("demo")))
                #expect(sans.count == 2)
                #expect(try server.extensions.extendedKeyUsage == ExtendedKeyUsage([.serverAuth]))
                #expect(try server.extensions.keyUsage == KeyUsage(digitalSignature: true, keyEncipherment: true))
                #expect(try server.extensions.basicConstraints == .notCertificateAuthority)
                #expect(abs(server.notValidAfter.timeIntervalSince(now + 730 * 86_400)) < 2)
                #expect(server.serialNumber != ca.serialNumber)

                // The client certificate.
                let client = try readCertificate(files.clientCertificate)
                #expect(client.subject == (try name("client")))
                #expect(try client.extensions.extendedKeyUsage == ExtendedKeyUsage([.clientAuth]))
                #expect(try client.extensions.basicConstraints == .notCertificateAuthority)

                // Keys: PKCS#8 PEM, P-256, matching their certificates.
                for (key, certificate) in [
                    (files.caKey, ca), (files.serverKey, server), (files.clientKey, client),
                ] {
                    let text = try String(contentsOfFile: key, encoding: .utf8)
                    #expect(text.hasPrefix("-----BEGIN PRIVATE KEY-----\n"), "\(key) is not PKCS#8 PEM")
                    #expect(Certificate.PublicKey(try readKey(key).publicKey) == certificate.publicKey)
                }

                // Chains, by swift-certificates' verifier.
                #expect(await verify(server, against: ca))
                #expect(await verify(server, against: ca, serverIP: "10.1.2.3"))
                #expect(await !verify(server, against: ca, serverIP: "10.1.2.4"))
                #expect(await verify(client, against: ca))
                #expect(await verify(ca, against: ca))

                // Permissions.
                #expect(try mode(directory) == 0o700)
                for key in [files.caKey, files.serverKey, files.clientKey] {
                    #expect(try mode(key) == 0o600, "\(key)")
                }
                for certificate in [files.caCertificate, files.serverCertificate, files.clientCertificate] {
                    #expect(try mode(certificate) == 0o644, "\(certificate)")
                }
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory)
                #expect(Set(leftovers) == [
                    "ca.pem", "ca-key.pem", "server-cert.pem", "server-key.pem", "cert.pem", "key.pem",
                ])
            }
        }

        @Test func opensslAcceptsTheChain() async throws {
            try await withCertificateDirectory { directory in
                let files = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: ["demo"], in: directory
                ).files
                let ca = files.caCertificate
                let server = try await opensslVerify(
                    ["-CAfile", ca, "-purpose", "sslserver", "-verify_ip", "10.1.2.3", files.serverCertificate])
                #expect(server == "\(files.serverCertificate): OK")
                let client = try await opensslVerify(["-CAfile", ca, "-purpose", "sslclient", files.clientCertificate])
                #expect(client == "\(files.clientCertificate): OK")
                let plain = try await opensslVerify(["-CAfile", ca, files.serverCertificate, files.clientCertificate])
                #expect(plain == "\(files.serverCertificate): OK\n\(files.clientCertificate): OK")
            }
        }

        @Test func reusesAMatchingSet() async throws {
            try await withCertificateDirectory { directory in
                let first = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: ["demo"], in: directory)
                let before = try snapshot(first.files)
                let second = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: ["DEMO"], in: directory)
                #expect(second.origin == .reused)
                #expect(!second.wasGenerated)
                #expect(!second.reissuedClientCertificate)
                #expect(try snapshot(second.files) == before)
            }
        }

        @Test func regeneratesForANewAddress() async throws {
            try await withCertificateDirectory { directory in
                let first = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: ["demo"], in: directory)
                let oldCA = try readCertificate(first.files.caCertificate)
                let second = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.3", "10.1.2.4"], dnsNames: ["demo"], in: directory)
                #expect(second.origin == .generated)
                #expect(second.replacementReason == "server-cert.pem does not cover 10.1.2.4")
                let ca = try readCertificate(second.files.caCertificate)
                #expect(ca != oldCA)
                let server = try readCertificate(second.files.serverCertificate)
                #expect(await verify(server, against: ca, serverIP: "10.1.2.4"))
                #expect(await verify(server, against: ca, serverIP: "10.1.2.3"))
                // And now the wider set is reused for a subset of its names.
                let third = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.4"], dnsNames: [], in: directory)
                #expect(third.origin == .reused)
            }
        }

        @Test func regeneratesAnExpiredSet() async throws {
            try await withCertificateDirectory { directory in
                let threeYearsAgo = Date() - 3 * 365 * 86_400
                _ = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: [], in: directory, now: threeYearsAgo)
                let bundle = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: [], in: directory)
                #expect(bundle.origin == .generated)
                #expect(bundle.replacementReason?.hasPrefix("server-cert.pem expired on") == true)
                let server = try readCertificate(bundle.files.serverCertificate)
                #expect(await verify(server, against: try readCertificate(bundle.files.caCertificate)))
            }
        }

        @Test func regeneratesAnIncompleteOrMismatchedSet() async throws {
            try await withCertificateDirectory { directory in
                let files = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: [], in: directory
                ).files
                try FileManager.default.removeItem(atPath: files.serverKey)
                let incomplete = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: [], in: directory)
                #expect(incomplete.origin == .generated)
                #expect(incomplete.replacementReason == "incomplete set: missing server-key.pem")

                try FileManager.default.removeItem(atPath: files.serverKey)
                try FileManager.default.copyItem(atPath: files.caKey, toPath: files.serverKey)
                let mismatched = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: [], in: directory)
                #expect(mismatched.origin == .generated)
                #expect(mismatched.replacementReason == "server-key.pem does not match server-cert.pem")

                try "garbage\n".write(toFile: files.caCertificate, atomically: true, encoding: .utf8)
                let garbage = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: [], in: directory)
                #expect(garbage.origin == .generated)
                #expect(garbage.replacementReason == "ca.pem holds no certificate")
            }
        }

        @Test func reissuesAMissingClientCertificateFromTheExistingCA() async throws {
            try await withCertificateDirectory { directory in
                let files = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: [], in: directory
                ).files
                let ca = try String(contentsOfFile: files.caCertificate, encoding: .utf8)
                try FileManager.default.removeItem(atPath: files.clientCertificate)
                let bundle = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: [], in: directory)
                #expect(bundle.origin == .reused)
                #expect(bundle.reissuedClientCertificate)
                #expect(try String(contentsOfFile: files.caCertificate, encoding: .utf8) == ca)
                let client = try readCertificate(files.clientCertificate)
                #expect(await verify(client, against: try readCertificate(files.caCertificate)))
                #expect(Certificate.PublicKey(try readKey(files.clientKey).publicKey) == client.publicKey)
            }
        }

        /// VIC wrote RSA keys in PKCS#1 ("RSA PRIVATE KEY"); a set like that is reused, and the
        /// old CA can issue a missing client certificate.
        @Test func reusesAnRSASetMadeByOpenSSL() async throws {
            try await withCertificateDirectory { directory in
                let work = directory + "-work"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
                try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: false)
                let files = CertificateFiles(directory: directory)
                try "subjectAltName=IP:10.1.2.3,DNS:demo\nextendedKeyUsage=serverAuth\n"
                    .write(toFile: work + "/ext.cnf", atomically: true, encoding: .utf8)
                for step in [
                    ["genrsa", "-traditional", "-out", files.caKey, "2048"],
                    ["req", "-x509", "-new", "-key", files.caKey, "-subj", "/O=vic/CN=old CA", "-days", "3650",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", files.caCertificate],
                    ["genrsa", "-traditional", "-out", files.serverKey, "2048"],
                    ["req", "-new", "-key", files.serverKey, "-subj", "/CN=demo", "-out", work + "/server.csr"],
                    ["x509", "-req", "-in", work + "/server.csr", "-CA", files.caCertificate, "-CAkey", files.caKey,
                     "-set_serial", "4660", "-days", "730", "-extfile", work + "/ext.cnf",
                     "-out", files.serverCertificate],
                ] {
                    guard try await openssl(step) != nil else { return }
                }
                let bundle = try CertificateBundle.prepare(
                    name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: ["demo"], in: directory)
                #expect(bundle.origin == .reused)
                #expect(bundle.reissuedClientCertificate)
                let client = try await opensslVerify(
                    ["-CAfile", files.caCertificate, "-purpose", "sslclient", files.clientCertificate])
                #expect(client == "\(files.clientCertificate): OK")
            }
        }

        @Test func keepsTheModeOfAnExistingDirectory() async throws {
            try await withCertificateDirectory { directory in
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o750])
                _ = try CertificateBundle.prepare(name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: [], in: directory)
                #expect(try mode(directory) == 0o750)
            }
        }

        @Test func rejectsAFileAsDirectoryAndBadInput() async throws {
            try await withCertificateDirectory { directory in
                try "x".write(toFile: directory, atomically: true, encoding: .utf8)
                let error = #expect(throws: VICError.self) {
                    try CertificateBundle.prepare(name: "demo", ipAddresses: ["10.1.2.3"], dnsNames: [], in: directory)
                }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message == "certificate path \(directory) exists and is not a directory")

                let noName = #expect(throws: VICError.self) {
                    try CertificateBundle.prepare(name: "", ipAddresses: ["10.1.2.3"], dnsNames: [], in: directory)
                }
                #expect(noName?.code == .invalidArgument)
            }
        }

        private func snapshot(_ files: CertificateFiles) throws -> [String] {
            try [
                files.caCertificate, files.caKey, files.serverCertificate, files.serverKey,
                files.clientCertificate, files.clientKey,
            ].map { try String(contentsOfFile: $0, encoding: .utf8) }
        }
    }
}

// MARK: - ServerIdentity

extension CertificateTests {
    @Suite struct ServerIdentityTests {
        /// (IPs, DNS names) → (canonical IPs, DNS names, common name).
        static let normalisations: [(([String], [String]), ([String], [String], String))] = [
            ((["10.1.2.3"], []), (["10.1.2.3"], [], "10.1.2.3")),
            ((["10.1.2.3"], ["demo"]), (["10.1.2.3"], ["demo"], "demo")),
            ((["2001:DB8:0:0::1"], []), (["2001:db8::1"], [], "2001:db8::1")),
            ((["10.1.2.3", " 10.1.2.3"], ["10.1.2.4", "Demo", "demo", "vch.example.com"]),
             (["10.1.2.3", "10.1.2.4"], ["Demo", "vch.example.com"], "Demo")),
            (([], ["*.example.com", "under_score"]), ([], ["*.example.com", "under_score"], "*.example.com")),
        ]

        @Test(arguments: normalisations)
        func normalises(input: ([String], [String]), expected: ([String], [String], String)) throws {
            let identity = try ServerIdentity(ipAddresses: input.0, dnsNames: input.1)
            #expect(identity.ipAddresses == expected.0)
            #expect(identity.dnsNames == expected.1)
            #expect(identity.commonName == expected.2)
        }

        static let rejections: [([String], [String], String)] = [
            (["10.1.2"], [], #"certificate IP address "10.1.2" is not an IPv4 or IPv6 address"#),
            (["demo"], [], #"certificate IP address "demo" is not an IPv4 or IPv6 address"#),
            ([], ["bad name"], #"certificate DNS name "bad name" is not a valid host name"#),
            ([], ["a..b"], #"certificate DNS name "a..b" is not a valid host name"#),
            ([], ["héllo"], #"certificate DNS name "héllo" is not a valid host name"#),
            ([], [""], #"certificate DNS name "" is not a valid host name"#),
            ([], [], "a server certificate needs at least one IP address or DNS name"),
        ]

        @Test(arguments: rejections)
        func rejects(addresses: [String], names: [String], message: String) {
            let error = #expect(throws: VICError.self) {
                try ServerIdentity(ipAddresses: addresses, dnsNames: names)
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message == message)
        }

        @Test func reportsNamesMissingFromSANs() throws {
            let identity = try ServerIdentity(ipAddresses: ["10.1.2.3", "::1"], dnsNames: ["demo"])
            let sans = SubjectAlternativeNames([
                .ipAddress(ASN1OctetString(contentBytes: [10, 1, 2, 3])), .dnsName("DEMO"),
            ])
            #expect(identity.missingNames(in: sans) == ["::1"])
            #expect(identity.missingNames(in: identity.subjectAlternativeNames).isEmpty)
            #expect(identity.missingNames(in: nil) == ["10.1.2.3", "::1", "demo"])
        }
    }
}

// MARK: - ClientCAFile

extension CertificateTests {
    @Suite struct ClientCAFileTests {
        @Test func acceptsPEMCertificatesAmongOtherBlocks() async throws {
            try await withCertificateDirectory { directory in
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
                let first = try CertificateAuthority.generate(name: "one")
                let second = try CertificateAuthority.generate(name: "two")
                let text = "# client CAs\n" + (try first.issued.certificatePEM()) + "\n"
                    + (try first.issued.privateKeyPEM()) + "\n"
                    + "Bag Attributes: ignored\n" + (try second.issued.certificatePEM()) + "\n"
                let path = directory + "/clients.pem"
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                let file = try ClientCAFile(path: path)
                #expect(file.path == path)
                #expect(file.certificates == [first.certificate, second.certificate])
            }
        }

        static let rejections: [(String, String)] = [
            ("", "no certificate found"),
            ("not a certificate at all\n\u{00}\u{FF}", "no certificate found"),
            ("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "no certificate found"),
            ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "certificate 1 cannot be parsed"),
        ]

        @Test(arguments: rejections)
        func rejectsFilesWithoutACertificate(contents: String, problem: String) async throws {
            try await withCertificateDirectory { directory in
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
                let path = directory + "/ca.pem"
                try contents.write(toFile: path, atomically: true, encoding: .utf8)
                let error = #expect(throws: VICError.self) { try ClientCAFile(path: path) }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message == "--tls-ca \(path): \(problem)")
            }
        }

        @Test func rejectsAKeyOnlyFile() throws {
            let key = P256.Signing.PrivateKey().pemRepresentation
            let error = #expect(throws: VICError.self) { try ClientCAFile(path: "key.pem", contents: key) }
            #expect(error?.message == "--tls-ca key.pem: no certificate found")
        }

        @Test func rejectsAMissingFile() {
            let path = "/nonexistent/vic-\(UUID().uuidString)/ca.pem"
            let error = #expect(throws: VICError.self) { try ClientCAFile(path: path) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message == "--tls-ca \(path): cannot read the file")
        }
    }
}
