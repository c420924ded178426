import VICCore

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
}
