import Foundation
import Testing
import VICCore
@testable import VICImage

/// What the docker CLI sends for a registry login and with each pull.
@Suite struct RegistryCredentialsTests {
    static func header(_ json: String) -> String {
        Data(json.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    @Test func xRegistryAuthWithUserOrAuthField() throws {
        let plain = try RegistryCredentials.header(Self.header(#"{"username":"vic","password":"p?>>","serveraddress":"r:5001"}"#))
        #expect(plain == RegistryCredentials(username: "vic", password: "p?>>"))
        let auth = Data("vic:a:b".utf8).base64EncodedString()
        let fromAuth = try RegistryCredentials.header(Self.header(#"{"auth":"\#(auth)"}"#).replacingOccurrences(of: "=", with: ""))
        #expect(fromAuth == RegistryCredentials(username: "vic", password: "a:b"))
        #expect(try RegistryCredentials.header(nil) == nil && RegistryCredentials.header("") == nil)
        #expect(try RegistryCredentials.header(Self.header("{}")) == nil)
        #expect(throws: VICError.self) { try RegistryCredentials.header("!!!") }
        #expect(plain?.basicAuthorization == "Basic " + Data("vic:p?>>".utf8).base64EncodedString())
    }

    @Test func serverAddressesNameADomain() {
        #expect(RegistryCredentials.domain(ofServer: "https://index.docker.io/v1/") == "docker.io")
        #expect(RegistryCredentials.domain(ofServer: "") == "docker.io")
        #expect(RegistryCredentials.domain(ofServer: "10.99.32.1:5001") == "10.99.32.1:5001")
        #expect(RegistryCredentials.domain(ofServer: "http://harbor.local/v2/") == "harbor.local")
    }
}

/// `docker login` against a registry behind a Bearer token service (a fake on loopback): the
/// token is fetched with the credentials as Basic, a token that no longer works is replaced,
/// and refused credentials are a 401.
@Suite struct RegistryLoginTests {
    @Test func bearerTokensForCredentialsAndTheirRenewal() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", fixture("fake-token-registry.py")]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        defer {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
        var line = Data()
        while !line.contains(0x0a), let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty { line += byte }
        let port = try #require(Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        let domain = "127.0.0.1:\(port)"
        let client = RegistryClient(insecureRegistries: [domain])
        let good = RegistryCredentials(username: "vic", password: "pw")
        try await client.login(domain: domain, credentials: good)
        // A wrong password for the same user gets no ride on the right one's cached token.
        await #expect {
            try await client.login(domain: domain, credentials: RegistryCredentials(username: "vic", password: "wrong"))
        } throws: { error in
            (error as? VICError)?.code == .unauthorized
        }
        // The cached token serves once more; then the fake refuses it, as an expired one, and
        // a new one is fetched.
        try await client.login(domain: domain, credentials: good)
        try await client.login(domain: domain, credentials: good)
        await client.shutdown()
    }
}
