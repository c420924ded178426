import Foundation
import VICCore
import VICPlumbing

/// Gives a container its network namespace and NIC: a veth whose host end joins the network's
/// port group (a bridge in the host namespace) and whose peer is `eth0` in the container's own
/// namespace, with its address, MAC and default route. Privilege: root.
public struct ContainerNetworking: Sendable {
    public let links: any LinkControl
    /// The name under /run/netns of the host namespace, where port groups live.
    public let hostNamespace: String
    /// Prefix for container namespace names: `vch-<name>-`.
    public let namespacePrefix: String

    public init(links: any LinkControl, hostNamespace: String, namespacePrefix: String) {
        self.links = links
        self.hostNamespace = hostNamespace
        self.namespacePrefix = namespacePrefix
    }

    public func namespace(for id: String) -> String { namespacePrefix + Identifier.short(id) }
    public func namespacePath(for id: String) -> String { "/run/netns/\(namespace(for: id))" }
    /// The host end of the container's NIC: "vc" + 10 characters of the ID.
    public func hostLink(for id: String) -> String { "vc" + String(id.prefix(10)) }

    /// Creates the namespace and NIC. Idempotent: leftovers of an earlier attempt are removed first.
    public func attach(_ id: String, endpoint: Endpoint, portGroup: String) async throws {
        try await detach(id)
        let namespace = namespace(for: id)
        let hostLink = hostLink(for: id)
        try await links.createNamespace(namespace)
        try await links.createVethPair(hostName: hostLink, in: hostNamespace, peerName: "eth0", peerNamespace: namespace)
        try await links.attach(link: hostLink, toBridge: portGroup, in: hostNamespace)
        try await links.setUp(link: hostLink, in: hostNamespace)
        try await links.setMACAddress(endpoint.macAddress, of: "eth0", in: namespace)
        try await links.addAddress(endpoint.address, to: "eth0", in: namespace)
        try await links.setUp(link: "eth0", in: namespace)
        if let gateway = endpoint.gateway {
            try await links.replaceRoute(to: nil, via: gateway, device: "eth0", in: namespace)
        }
    }

    /// Removes the NIC and the namespace; what is already gone is not an error.
    public func detach(_ id: String) async throws {
        try await links.deleteLink(named: hostLink(for: id), in: hostNamespace)
        try await links.deleteNamespace(namespace(for: id))
    }

    /// A locally administered unicast MAC derived from the address: 02:42:a.b.c.d, like Docker.
    public static func macAddress(for address: IPv4Address) -> String {
        (["02", "42"] + address.octets.map { String(format: "%02x", $0) }).joined(separator: ":")
    }
}
