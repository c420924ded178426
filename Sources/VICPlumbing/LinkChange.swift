import VICCore

/// One change to the links, addresses or routes of a single network namespace, applied with
/// others in one batch (`LinkControl.apply(_:in:)`): a container's NICs cost one batch in the
/// host namespace and one in its own, not one helper process per step.
public enum LinkChange: Sendable, Hashable {
    /// Deletes a link; a link that is already gone is not an error.
    case deleteLink(String)
    /// Creates a veth pair. The `hostName` end stays in the batch's namespace, enslaved to
    /// `bridge` (when given) and up; the `peerName` end is created directly inside
    /// `peerNamespace`, down, with the MAC address `peerMAC` (when given).
    case createVethPair(hostName: String, bridge: String?, peerName: String, peerNamespace: String, peerMAC: String?)
    /// Brings a link up.
    case setUp(String)
    /// Adds (or replaces) an address on a link.
    case addAddress(IPv4Interface, link: String)
    /// Adds (or replaces) an IPv6 address on a link, without duplicate address detection.
    case addAddress6(IPv6Interface, link: String)
    /// Adds or replaces a route; `to` nil is the default route.
    case replaceRoute(to: IPv4Network?, via: IPv4Address, device: String)
    /// Removes a route (nil: the default route); a missing route is not an error.
    case deleteRoute(to: IPv4Network?)
}

extension LinkControl {
    /// Applies `changes` in order, one call each: the fallback for implementations that have
    /// no batch of their own (fakes in tests). Stops at the first failure.
    public func applyOneByOne(_ changes: [LinkChange], in namespace: String?) async throws {
        for change in changes {
            switch change {
            case .deleteLink(let name):
                try await deleteLink(named: name, in: namespace)
            case .createVethPair(let hostName, let bridge, let peerName, let peerNamespace, let peerMAC):
                try await createVethPair(hostName: hostName, in: namespace, peerName: peerName, peerNamespace: peerNamespace)
                if let peerMAC { try await setMACAddress(peerMAC, of: peerName, in: peerNamespace) }
                if let bridge { try await attach(link: hostName, toBridge: bridge, in: namespace) }
                try await setUp(link: hostName, in: namespace)
            case .setUp(let link):
                try await setUp(link: link, in: namespace)
            case .addAddress(let address, let link):
                try await addAddress(address, to: link, in: namespace)
            case .addAddress6(let address, let link):
                try await addAddress6(address, to: link, in: namespace)
            case .replaceRoute(let destination, let gateway, let device):
                try await replaceRoute(to: destination, via: gateway, device: device, in: namespace)
            case .deleteRoute(let destination):
                try await deleteRoute(to: destination, in: namespace)
            }
        }
    }
}
