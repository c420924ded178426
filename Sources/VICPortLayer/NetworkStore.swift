import Foundation
import VICCore
import VICSystem

/// The user-defined networks of a VCH, persisted as `networks.json` in the VCH state directory
/// (next to `containers/`). Written whole and atomically (temp file, then rename) after every
/// change; read once when vchd starts. Address reservations are not stored here: they come back
/// from the container records.
public struct NetworkStore: Sendable {
    /// One user network as persisted: everything but the live pool.
    struct Stored: Codable, Equatable {
        var name: String
        var id: String
        var portGroup: String
        var subnet: IPv4Network
        var gateway: IPv4Address
        var ranges: [IPv4Range]
        var `internal`: Bool
        var labels: [String: String]
        var options: [String: String]
        var created: Date
        var number: Int
        /// Absent for IPv4-only networks, and in files written before vic had IPv6.
        var subnet6: IPv6Network?
        var gateway6: IPv6Address?
    }

    struct File: Codable {
        var version = 1
        var networks: [Stored]
    }

    /// The `networks.json` file, replaced atomically with mode 0600 on every save.
    public let path: String

    /// A store at `path`; nothing is read until `load()`.
    public init(path: String) { self.path = path }

    /// `networks.json` beside the containers directory `containersRoot`.
    public init(containersRoot: String) {
        path = URL(fileURLWithPath: containersRoot).deletingLastPathComponent().appendingPathComponent("networks.json").path
    }

    /// The stored networks as scopes with fresh pools; none when the file does not exist.
    public func load() throws -> [NetworkScope] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let file: File
        do { file = try decoder.decode(File.self, from: data) } catch {
            throw VICError.wrapping(error, "cannot read \(path)")
        }
        return file.networks.map { stored in
            NetworkScope(
                name: stored.name, id: stored.id, driver: .bridge, portGroup: stored.portGroup,
                subnet: stored.subnet, gateway: stored.gateway, ranges: stored.ranges, dnsServers: [stored.gateway],
                builtin: false, internal: stored.internal, labels: stored.labels, created: stored.created,
                pool: AddressPool(subnet: stored.subnet, ranges: stored.ranges, excluded: [stored.gateway]),
                number: stored.number, options: stored.options, subnet6: stored.subnet6, gateway6: stored.gateway6)
        }
    }

    /// Replaces the file with the user (non-builtin bridge) scopes among `scopes`.
    public func save(_ scopes: [NetworkScope]) throws {
        let stored = scopes.filter { !$0.builtin && $0.driver == .bridge }.sorted { $0.name < $1.name }.compactMap {
            scope -> Stored? in
            guard let subnet = scope.subnet, let gateway = scope.gateway, let number = scope.number else { return nil }
            return Stored(name: scope.name, id: scope.id, portGroup: scope.portGroup, subnet: subnet, gateway: gateway,
                          ranges: scope.ranges, internal: scope.internal, labels: scope.labels, options: scope.options,
                          created: scope.created, number: number, subnet6: scope.subnet6, gateway6: scope.gateway6)
        }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(File(networks: stored)), to: path, mode: 0o600)
    }
}
