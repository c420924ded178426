import VICCore

/// The seam between the port layer and the appliance's side of a bridge network: the gateway
/// address the appliance holds for each bridge scope, on `scope.applianceInterface` (`bridge`
/// for the default bridge; for a user network, `bridge.<n>`, the appliance's NIC on that
/// network's own Linux bridge). The port layer calls it when a bridge network is created or
/// removed while vchd runs; at start the appliance sets up every scope itself.
public protocol BridgeGatewayControl: Sendable {
    /// Makes the appliance a member of `scope`: the network's bridge, the appliance's NIC on
    /// it and the gateway address.
    /// Idempotent. Privilege: CAP_NET_ADMIN in the appliance and host namespaces.
    func addGateway(for scope: NetworkScope) async throws
    /// Undoes `addGateway`; what is already gone is not an error.
    func removeGateway(for scope: NetworkScope) async throws
}

/// No appliance: for port layers in tests.
public struct NoBridgeGateways: BridgeGatewayControl {
    /// A control that changes nothing.
    public init() {}
    /// Does nothing and never throws.
    public func addGateway(for scope: NetworkScope) async throws {}
    /// Does nothing and never throws.
    public func removeGateway(for scope: NetworkScope) async throws {}
}
