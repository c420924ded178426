import Foundation
import VICConfig
import VICCore
import VICPlumbing
import VICPortLayer
import VICSystem

/// The appliance's own network set-up, done by vchd inside the appliance namespace: forwarding,
/// and for every bridge scope its gateway address on the appliance. The firewall is
/// `ApplianceFirewall`'s.
///
/// - The default bridge's gateway sits on the `bridge` NIC (the bridge port group).
/// - A user bridge network is its own Linux bridge in the host namespace (`scope.portGroup`,
///   `vb…`, with the alias `vic:<vch>:<network>` so that it can be found and removed with the
///   VCH). The appliance joins it with a veth `bridge.<n>` (`scope.applianceInterface`)
///   holding the gateway. One bridge per network isolates networks at L2; the appliance
///   firewall refuses routing between them (L3). (VLAN filtering would do the same on one
///   bridge, but kernels without CONFIG_BRIDGE_VLAN_FILTERING, such as this lab's, refuse it.)
///
/// Only the appliance namespace and the VCH's own links in the host namespace are touched.
/// Idempotent.
public struct ApplianceNetwork: BridgeGatewayControl {
    /// Link and address control (iproute2 in vchd), used in the appliance and host namespaces.
    public let links: any LinkControl
    /// The VCH's configuration: its namespace names and the bridge NIC.
    public let configuration: VCHConfiguration

    /// Wires the control; nothing on the host changes until a method is called.
    public init(links: any LinkControl, configuration: VCHConfiguration) {
        self.links = links
        self.configuration = configuration
    }

    static let ipv6Forwarding = "/proc/sys/net/ipv6/conf/all/forwarding"

    var bridgeNIC: String { configuration.nic(for: .bridge)?.name ?? NetworkRole.bridge.rawValue }

    /// The alias that marks a user network's bridge as this VCH's.
    public static func bridgeAlias(vch: String, network: String) -> String { "vic:\(vch):\(network)" }

    /// The host end of the appliance's veth on a user network: `va` + 10 characters of its ID.
    public static func hostLink(for scope: NetworkScope) -> String { "va" + String(scope.id.prefix(10)) }

    /// At start: every bridge scope's gateway, and forwarding. What a previous vchd left in
    /// place (a user network's bridge and the appliance's NIC on it) is kept, so containers on
    /// it see no flap: one listing per namespace says what exists.
    public func apply(scopes: [NetworkScope]) async throws {
        let host = configuration.hostNamespace
        let hostLinks = Set(try await links.links(in: host).map(\.name))
        let applianceLinks = Set(try await links.links(in: nil).map(\.name))
        for scope in scopes where scope.driver == .bridge {
            guard let gateway = scope.gatewayInterface else { continue }
            guard scope.number != nil else {
                try await links.addAddress(gateway, to: bridgeNIC, in: nil)
                continue
            }
            if !hostLinks.contains(scope.portGroup) {
                try await links.createBridge(named: scope.portGroup, alias: Self.bridgeAlias(vch: configuration.name, network: scope.name), in: host)
            }
            if applianceLinks.contains(scope.applianceInterface) {
                try await links.apply(Self.gatewayChanges(scope, gateway), in: nil)
            } else {
                try await connect(scope, gateway: gateway)
            }
        }
        // /proc/sys/net is per network namespace: this is the appliance's switch only. IPv6 is
        // never forwarded: it stays on each network (the firewall filters IPv4 only).
        try FileSystem.writeControl("/proc/sys/net/ipv4/ip_forward", "1\n")
        if FileManager.default.fileExists(atPath: Self.ipv6Forwarding) {
            try FileSystem.writeControl(Self.ipv6Forwarding, "0\n")
            // A container may send router advertisements: the appliance takes no route from its
            // bridge networks (NICs made later inherit "default").
            try FileSystem.writeControl("/proc/sys/net/ipv6/conf/default/accept_ra", "0\n")
            for scope in scopes where scope.driver == .bridge { try Self.refuseRouterAdvertisements(on: scope.applianceInterface) }
            try Self.refuseRouterAdvertisements(on: bridgeNIC)
        }
    }

    /// `BridgeGatewayControl.addGateway(for:)`, for a network created while vchd runs. Default
    /// bridge: adds the gateway to the `bridge` NIC. User network: creates its Linux bridge in
    /// the host namespace (with the VCH's alias), a veth `bridge.<n>` into the appliance with its
    /// host end enslaved, then the gateway: three `ip` processes and two batches, no listings.
    /// Non-bridge scopes are ignored. Privilege: CAP_NET_ADMIN in both namespaces.
    public func addGateway(for scope: NetworkScope) async throws {
        guard scope.driver == .bridge, let gateway = scope.gatewayInterface else { return }
        guard scope.number != nil else {
            try await links.addAddress(gateway, to: bridgeNIC, in: nil)
            return
        }
        try await links.createBridge(
            named: scope.portGroup, alias: Self.bridgeAlias(vch: configuration.name, network: scope.name),
            in: configuration.hostNamespace)
        try await connect(scope, gateway: gateway)
    }

    /// The appliance's NIC on a user network's bridge, with the gateway address: one batch in
    /// the host namespace (a leftover host end removed first), one in the appliance.
    func connect(_ scope: NetworkScope, gateway: IPv4Interface) async throws {
        let hostLink = Self.hostLink(for: scope)
        try await links.apply([
            .deleteLink(hostLink),
            .createVethPair(hostName: hostLink, bridge: scope.portGroup, peerName: scope.applianceInterface,
                            peerNamespace: configuration.namespace, peerMAC: nil),
        ], in: configuration.hostNamespace)
        try await links.apply(Self.gatewayChanges(scope, gateway), in: nil)
        try Self.refuseRouterAdvertisements(on: scope.applianceInterface)
    }

    /// Sets `accept_ra` to 0 on the appliance's `interface`, when it exists and has IPv6.
    static func refuseRouterAdvertisements(on interface: String) throws {
        let path = "/proc/sys/net/ipv6/conf/\(interface)/accept_ra"
        if FileManager.default.fileExists(atPath: path) { try FileSystem.writeControl(path, "0\n") }
    }

    /// The gateway addresses on the appliance's NIC of a user network (IPv6 too, for a `--ipv6`
    /// network), and the NIC up.
    static func gatewayChanges(_ scope: NetworkScope, _ gateway: IPv4Interface) -> [LinkChange] {
        [.addAddress(gateway, link: scope.applianceInterface)]
            + (scope.gatewayInterface6.map { [.addAddress6($0, link: scope.applianceInterface)] } ?? [])
            + [.setUp(scope.applianceInterface)]
    }

    /// `BridgeGatewayControl.removeGateway(for:)`. Default bridge: removes the gateway address.
    /// User network: deletes the appliance's veth (both ends) and the network's host bridge.
    public func removeGateway(for scope: NetworkScope) async throws {
        guard scope.driver == .bridge else { return }
        guard scope.number != nil else {
            if let gateway = scope.gatewayInterface { try await links.removeAddress(gateway, from: bridgeNIC, in: nil) }
            return
        }
        // Deleting one end of the veth deletes both.
        try await links.deleteLink(named: scope.applianceInterface, in: nil)
        try await links.deleteLink(named: scope.portGroup, in: configuration.hostNamespace)
    }
}
