import VICCore
import VICPortLayer

/// The domain side of the Docker Engine API: what the router asks of the VCH.
///
/// The router decodes a request, calls one method and encodes the answer; every decision lives
/// behind this protocol (in the appliance's port-layer backend, or in a fake in tests).
/// Methods throw `VICError`; its `code` picks the HTTP status (see `ErrorStatus`). Any other
/// error becomes a 500.
public protocol EngineBackend: Sendable {
    /// Facts about the VCH for `GET /info` and `GET /version`. Called on every such request,
    /// so it should be cheap.
    func systemInfo() async throws -> SystemInfo

    /// Every network of the VCH, in a stable order. The router applies `docker network ls`
    /// filters itself.
    func listNetworks() async throws -> [NetworkDescription]

    /// One network by exact name, full ID or unique ID prefix.
    ///
    /// - Throws: `VICError` `.notFound` with message `network X not found` when nothing matches;
    ///   `.invalidArgument` when a prefix is ambiguous.
    func network(idOrName: String) async throws -> NetworkDescription

    /// `docker network create`: returns the new network's ID.
    ///
    /// - Throws: `.conflict` `network X already exists`; `.invalidArgument` for an unsupported
    ///   driver (`cannot create external networks`) or a bad subnet, gateway or range.
    func createNetwork(_ request: NetworkRequest) async throws -> String

    /// `docker network rm` of one network.
    ///
    /// - Throws: `.notFound`; `.invalidArgument` for a builtin network (`cannot remove builtin
    ///   scope`); `.conflict` `X has active endpoints` while any container, running or not, is on it.
    func removeNetwork(idOrName: String) async throws

    /// `docker network prune`: removes every user network without containers for which `keep`
    /// holds, and returns their names.
    func pruneNetworks(where keep: @escaping @Sendable (NetworkDescription) -> Bool) async throws -> [String]

    /// `docker network connect`: the container joins the network; a running one gets the NIC
    /// at once.
    func connect(network: String, container: String, endpoint: NetworkAttachment) async throws

    /// `docker network disconnect [-f]`.
    func disconnect(network: String, container: String, force: Bool) async throws
}

extension EngineBackend {
    /// Default for backends without network management: throws `.notImplemented` (HTTP 501).
    public func createNetwork(_ request: NetworkRequest) async throws -> String {
        throw VICError(.notImplemented, "this backend does not create networks")
    }

    /// Default for backends without network management: throws `.notImplemented` (HTTP 501).
    public func removeNetwork(idOrName: String) async throws {
        throw VICError(.notImplemented, "this backend does not remove networks")
    }

    /// Default for backends without network management: throws `.notImplemented` (HTTP 501).
    public func pruneNetworks(where keep: @escaping @Sendable (NetworkDescription) -> Bool) async throws -> [String] {
        throw VICError(.notImplemented, "this backend does not prune networks")
    }

    /// Default for backends without network management: throws `.notImplemented` (HTTP 501).
    public func connect(network: String, container: String, endpoint: NetworkAttachment) async throws {
        throw VICError(.notImplemented, "this backend does not connect containers")
    }

    /// Default for backends without network management: throws `.notImplemented` (HTTP 501).
    public func disconnect(network: String, container: String, force: Bool) async throws {
        throw VICError(.notImplemented, "this backend does not disconnect containers")
    }
}
