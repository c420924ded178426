import Crypto
import Foundation
import VICCore

/// A user name and password for one registry, as `docker login` checks them and the docker CLI
/// sends them with every pull (`X-Registry-Auth`). vchd keeps none: each request carries its own.
public struct RegistryCredentials: Sendable, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// Who these credentials are, password included, as a digest: what a cached authorization
    /// is kept under, so that a wrong password never rides on a right one's token.
    var identity: String {
        SHA256.hash(data: Data("\(username)\u{0}\(password)".utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The `Authorization` value for HTTP basic authentication.
    var basicAuthorization: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    /// Docker's auth configuration: JSON with `username` and `password`, or `auth`
    /// (base64 of `user:password`); nil when it names no user (anonymous).
    public static func decode(json data: Data) throws -> RegistryCredentials? {
        struct Wire: Decodable { var username: String?; var password: String?; var auth: String? }
        let wire: Wire
        do { wire = try JSONDecoder().decode(Wire.self, from: data) } catch {
            throw VICError(.invalidArgument, "invalid registry credentials: \(error)")
        }
        if let username = wire.username, !username.isEmpty {
            return RegistryCredentials(username: username, password: wire.password ?? "")
        }
        if let auth = wire.auth, !auth.isEmpty, let decoded = Data(base64Encoded: auth),
           let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") {
            return RegistryCredentials(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
        }
        return nil
    }

    /// The `X-Registry-Auth` header: that JSON, base64 with the URL alphabet (padding optional).
    /// nil for a missing or empty header, or one that names no user.
    public static func header(_ value: String?) throws -> RegistryCredentials? {
        guard let value, !value.isEmpty else { return nil }
        var text = value.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else {
            throw VICError(.invalidArgument, "invalid X-Registry-Auth header: not base64")
        }
        return try decode(json: data)
    }

    /// The registry domain a `docker login` server address names: scheme and path dropped,
    /// Docker Hub's addresses as `docker.io`.
    public static func domain(ofServer address: String) -> String {
        var text = address
        if let range = text.range(of: "://") { text = String(text[range.upperBound...]) }
        text = String(text.split(separator: "/", maxSplits: 1).first ?? "")
        return ["index.docker.io", "registry-1.docker.io", "docker.io", ""].contains(text) ? ImageReference.defaultDomain : text
    }
}
