import Foundation
import Logging
import Testing
import VICEngineAPI

extension DockerClientTests {
    /// Makes a throwaway CA, a server certificate for 127.0.0.1 and a client certificate with
    /// the openssl CLI (test fixture only; vic-machine makes real ones with swift-certificates).
    static func makeCertificates(in directory: String) async throws {
        let openssl = InstalledClients.opensslPath
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
            .write(toFile: directory + "/server.ext", atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: directory + "/client.ext", atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509"] + ec + ["-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "1", "-subj", "/CN=test-ca"],
            ["req"] + ec + ["-keyout", "server-key.pem", "-out", "server.csr", "-subj", "/CN=vch"],
            [
                "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                "-out", "server.pem", "-days", "1", "-extfile", "server.ext",
            ],
            ["req"] + ec + ["-keyout", "key.pem", "-out", "client.csr", "-subj", "/CN=client"],
            [
                "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                "-out", "cert.pem", "-days", "1", "-extfile", "client.ext",
            ],
        ]
        for step in steps {
            let output = try await run(openssl, step, in: directory, workingDirectory: directory)
            try #require(output.status == 0, "openssl \(step): \(output.stderr)")
        }
    }

    @Test("TLS with client CAs: a client with a signed certificate gets in, one without is refused")
    func mutualTLS() async throws {
        try await withTemporaryDirectory("vic-tls") { directory in
            try await Self.makeCertificates(in: directory)
            let tls = EngineTLSConfiguration(
                certificateChainPath: directory + "/server.pem", privateKeyPath: directory + "/server-key.pem",
                clientCAPaths: [directory + "/ca.pem"])
            let server = EngineServer(backend: try FakeBackend.sample(), logger: Logger(label: "test"))
            let bound = try await server.start([.tcp(host: "127.0.0.1", port: 0, tls: tls)])
            let port = try #require(bound.first?.port)
            let host = "tcp://127.0.0.1:\(port)"
            do {
                let verified = try await Self.run(
                    Self.docker,
                    [
                        "-H", host, "--tlsverify", "--tlscacert", directory + "/ca.pem", "--tlscert",
                        directory + "/cert.pem", "--tlskey", directory + "/key.pem", "network", "ls", "-q",
                    ], in: directory)
                #expect(verified.status == 0, "\(verified.stderr)")
                #expect(verified.stdout.split(separator: "\n").count == 3, "\(verified.stdout)")

                let anonymous = try await Self.run(
                    Self.docker, ["-H", host, "--tls", "--tlscacert", directory + "/ca.pem", "version"], in: directory)
                #expect(anonymous.status != 0)
                #expect(anonymous.stderr.contains("certificate required"), "\(anonymous.stderr)")
                #expect(!anonymous.stdout.contains("Server: vic"), "\(anonymous.stdout)")
            } catch {
                await server.shutdown(gracePeriod: .zero)
                throw error
            }
            await server.shutdown()
        }
    }
}
