import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VICCore

/// Where one repository lives: a registry base URL and the repository path in it.
public struct RegistryRepository: Sendable, Hashable, CustomStringConvertible {
    /// "https://registry-1.docker.io" or a mirror's URL, without a trailing slash.
    public var baseURL: String
    /// The repository path in the registry ("library/busybox"); empty for the registry itself.
    public var path: String
    /// Who asks: sent to the registry's token service (Bearer) or to the registry (Basic) when
    /// it demands them; nil is anonymous. Never part of `description`.
    public var credentials: RegistryCredentials? = nil

    /// "baseURL/path", for logs and errors.
    public var description: String { "\(baseURL)/\(path)" }
}

/// The Registry HTTP API v2, read-only: manifests and blobs, with bearer tokens (anonymous, or
/// for the repository's credentials) or basic authentication, whichever the registry asks for.
/// HTTPS with the system CAs by default; plain HTTP for registries listed as insecure.
public actor RegistryClient {
    let http: HTTPClient
    let insecure: Set<String>
    /// `Authorization` values by registry, repository and credentials, learnt from 401 challenges.
    var authorizations: [String: String] = [:]

    /// `insecureRegistries` are `host[:port]` names reached over plain HTTP.
    public init(insecureRegistries: [String]) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        insecure = Set(insecureRegistries)
    }

    /// Shuts down the HTTP client; call once, after the last request. Errors are ignored.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// The URL for a registry domain: Docker Hub's API host for docker.io; HTTP when insecure.
    public func repository(domain: String, path: String) -> RegistryRepository {
        if domain == ImageReference.defaultDomain {
            return RegistryRepository(baseURL: "https://registry-1.docker.io", path: path)
        }
        let scheme = insecure.contains(domain) ? "http" : "https"
        return RegistryRepository(baseURL: "\(scheme)://\(domain)", path: path)
    }

    /// A manifest or index, with its media type and digest.
    public func manifest(_ repository: RegistryRepository, reference: String) async throws -> (data: Data, mediaType: String, digest: String) {
        let url = "\(repository.baseURL)/v2/\(repository.path)/manifests/\(reference)"
        let response = try await send(url, repository: repository, accept: MediaType.acceptedManifests)
        let body = try await response.body.collect(upTo: 8 << 20)
        let data = Data(body.readableBytesView)
        guard response.status == .ok else {
            throw RegistryClient.error(response.status, url: url, body: data, what: "manifest \(reference)")
        }
        let digest = ContentStore.digest(of: data)
        if reference.hasPrefix("sha256:"), digest != reference {
            throw VICError(.invalidArgument, "manifest digest mismatch for \(repository): expected \(reference), got \(digest)")
        }
        let mediaType = response.headers.first(name: "Content-Type")?.split(separator: ";").first.map(String.init)
            ?? MediaType.dockerManifest
        return (data, mediaType, digest)
    }

    /// Streams a blob into `path`, calling `progress` with the bytes so far.
    public func download(
        _ repository: RegistryRepository, digest: String, to path: String,
        progress: @Sendable (Int64) -> Void
    ) async throws {
        let url = "\(repository.baseURL)/v2/\(repository.path)/blobs/\(digest)"
        let response = try await send(url, repository: repository, accept: [])
        guard response.status == .ok else {
            let body = try await response.body.collect(upTo: 1 << 16)
            throw RegistryClient.error(response.status, url: url, body: Data(body.readableBytesView), what: "blob \(digest)")
        }
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw VICError(.internal, "cannot create \(path)")
        }
        defer { try? handle.close() }
        var received: Int64 = 0
        for try await chunk in response.body {
            try handle.write(contentsOf: Data(chunk.readableBytesView))
            received += Int64(chunk.readableBytes)
            progress(received)
        }
    }

    /// Checks `credentials` against a registry (`docker login`): its API root must answer 200
    /// once challenged and authenticated. Throws `.unauthorized` when they are refused,
    /// `.unavailable` when the registry cannot be reached.
    public func login(domain: String, credentials: RegistryCredentials) async throws {
        var registry = repository(domain: domain, path: "")
        registry.credentials = credentials
        let url = "\(registry.baseURL)/v2/"
        let response = try await send(url, repository: registry, accept: [])
        _ = try? await response.body.collect(upTo: 1 << 16)
        guard response.status == .ok else {
            let code: VICError.Code = response.status == .unauthorized ? .unauthorized : .unavailable
            throw VICError(code, "login attempt to \(url) failed with status: \(response.status.code) \(response.status.reasonPhrase)")
        }
    }

    /// GET with what the registry last asked of this repository and user. On a 401 challenge
    /// (none yet, or a token that expired) it gets a Bearer token, for the credentials if any,
    /// or sends the credentials as Basic, and retries once.
    func send(_ url: String, repository: RegistryRepository, accept: [String], fresh: Bool = false) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        if !accept.isEmpty { request.headers.add(name: "Accept", value: accept.joined(separator: ", ")) }
        let key = "\(repository.baseURL) \(repository.path) \(repository.credentials?.identity ?? "")"
        if let authorization = authorizations[key] { request.headers.replaceOrAdd(name: "Authorization", value: authorization) }
        let response = try await execute(request, url: url)
        guard response.status == .unauthorized, !fresh,
              let challenge = response.headers.first(name: "WWW-Authenticate")
        else { return response }
        if let parameters = RegistryClient.bearerParameters(challenge) {
            authorizations[key] = "Bearer " + (try await token(parameters, repository: repository))
        } else if challenge.lowercased().hasPrefix("basic"), let credentials = repository.credentials {
            authorizations[key] = credentials.basicAuthorization
        } else {
            return response
        }
        return try await send(url, repository: repository, accept: accept, fresh: true)
    }

    func execute(_ request: HTTPClientRequest, url: String) async throws -> HTTPClientResponse {
        do { return try await http.execute(request, timeout: .seconds(300)) } catch {
            throw VICError.wrapping(error, "registry \(url) unreachable", code: .unavailable)
        }
    }

    func token(_ parameters: [String: String], repository: RegistryRepository) async throws -> String {
        guard let realm = parameters["realm"], var components = URLComponents(string: realm) else {
            throw VICError(.unavailable, "registry \(repository.baseURL) sent a Bearer challenge without a realm")
        }
        components.queryItems = ["service", "scope"].compactMap { name in
            parameters[name].map { URLQueryItem(name: name, value: $0) }
        }
        if parameters["scope"] == nil && !repository.path.isEmpty {
            components.queryItems?.append(URLQueryItem(name: "scope", value: "repository:\(repository.path):pull"))
        }
        guard let url = components.string else { throw VICError(.unavailable, "bad token realm \(realm)") }
        var request = HTTPClientRequest(url: url)
        if let credentials = repository.credentials {
            request.headers.add(name: "Authorization", value: credentials.basicAuthorization)
        }
        let response = try await execute(request, url: url)
        let body = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        struct Token: Decodable { var token: String?; var access_token: String? }
        if response.status == .unauthorized {
            throw VICError(.unauthorized, "registry token service \(realm) refused the credentials: \(response.status)")
        }
        guard response.status == .ok, let decoded = try? JSONDecoder().decode(Token.self, from: body),
              let token = decoded.token ?? decoded.access_token else {
            throw VICError(.unavailable, "registry token service \(realm) refused: \(response.status)")
        }
        return token
    }

    /// `Bearer realm="…",service="…",scope="…"` → its parameters.
    static func bearerParameters(_ header: String) -> [String: String]? {
        guard header.lowercased().hasPrefix("bearer ") else { return nil }
        var parameters: [String: String] = [:]
        let rest = header.dropFirst("bearer ".count)
        var key = "", value = "", inQuotes = false, readingValue = false
        func flush() {
            if !key.isEmpty { parameters[key.trimmingCharacters(in: .whitespaces).lowercased()] = value }
            key = ""; value = ""; readingValue = false
        }
        for character in rest {
            if character == "\"" { inQuotes.toggle(); continue }
            if !inQuotes && character == "," { flush(); continue }
            if !readingValue && character == "=" { readingValue = true; continue }
            if readingValue { value.append(character) } else { key.append(character) }
        }
        flush()
        return parameters
    }

    static func error(_ status: HTTPResponseStatus, url: String, body: Data, what: String) -> VICError {
        struct Errors: Decodable { struct Item: Decodable { var code: String?; var message: String? }; var errors: [Item]? }
        let detail = (try? JSONDecoder().decode(Errors.self, from: body))?.errors?.first?.message ?? "\(status)"
        let code: VICError.Code = status == .notFound ? .notFound : status == .unauthorized ? .invalidArgument : .unavailable
        // A registry that wants a user says only "authentication required": say what helps.
        let hint = status == .unauthorized ? " (docker login, or check the credentials)" : ""
        return VICError(code, "\(what): \(detail)\(hint)")
    }
}
