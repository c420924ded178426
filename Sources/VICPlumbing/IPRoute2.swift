import Foundation
import VICCore
import VICSystem

/// `LinkControl` through iproute2's `ip` command (which speaks rtnetlink), reading its JSON output.
/// A native rtnetlink implementation can replace it behind the same protocol.
public struct IPRoute2: LinkControl {
    let ip: String

    public init(ip: String = "/usr/sbin/ip") { self.ip = ip }

    @discardableResult
    func run(_ namespace: String?, _ arguments: [String]) async throws -> String {
        let prefix = namespace.map { ["-n", $0] } ?? []
        return try await Command.check(ip, prefix + arguments)
    }

    public func links(in namespace: String?) async throws -> [LinkInfo] {
        let linkJSON = try await run(namespace, ["-j", "-d", "link", "show"])
        let addressJSON = try await run(namespace, ["-j", "-4", "address", "show"])
        return try IPRoute2Parser.links(linkJSON: linkJSON, addressJSON: addressJSON)
    }

    public func createBridge(named name: String, alias: String?) async throws {
        try await run(nil, ["link", "add", "name", name, "type", "bridge"])
        if let alias { try await run(nil, ["link", "set", "dev", name, "alias", alias]) }
        try await run(nil, ["link", "set", "dev", name, "up"])
    }

    public func createVethPair(hostName: String, in namespace: String?, peerName: String, peerNamespace: String) async throws {
        try await run(namespace, [
            "link", "add", "name", hostName, "type", "veth",
            "peer", "name", peerName, "netns", peerNamespace,
        ])
    }

    public func attach(link: String, toBridge bridge: String, in namespace: String?) async throws {
        try await run(namespace, ["link", "set", "dev", link, "master", bridge])
    }

    public func setMACAddress(_ address: String, of link: String, in namespace: String?) async throws {
        try await run(namespace, ["link", "set", "dev", link, "address", address])
    }

    public func nameNamespace(_ name: String, ofProcess pid: Int32) async throws {
        try await run(nil, ["netns", "attach", name, String(pid)])
    }

    public func setUp(link: String, in namespace: String?) async throws {
        try await run(namespace, ["link", "set", "dev", link, "up"])
    }

    public func deleteLink(named name: String, in namespace: String?) async throws {
        let present = try await links(in: namespace).contains { $0.name == name }
        guard present else { return }
        try await run(namespace, ["link", "del", "dev", name])
    }

    public func addAddress(_ address: IPv4Interface, to link: String, in namespace: String?) async throws {
        try await run(namespace, ["address", "replace", address.description, "dev", link])
    }

    public func removeAddress(_ address: IPv4Interface, from link: String, in namespace: String?) async throws {
        let result = try await Command.run(
            ip, (namespace.map { ["-n", $0] } ?? []) + ["address", "del", address.description, "dev", link])
        // "Cannot assign requested address" / "Cannot find device": already gone.
        if !result.succeeded && !result.standardError.contains("Cannot") {
            throw VICError(.internal, "remove \(address) from \(link): \(result.standardError.trimmingWhitespace())")
        }
    }

    public func replaceRoute(
        to destination: IPv4Network?, via gateway: IPv4Address, device: String, in namespace: String?
    ) async throws {
        try await run(namespace, [
            "route", "replace", destination?.description ?? "default",
            "via", gateway.description, "dev", device,
        ])
    }

    public func namespaceExists(_ name: String) async throws -> Bool {
        FileManager.default.fileExists(atPath: "/run/netns/\(name)")
    }

    public func createNamespace(_ name: String) async throws {
        try await run(nil, ["netns", "add", name])
        try await run(name, ["link", "set", "dev", "lo", "up"])
    }

    public func deleteNamespace(_ name: String) async throws {
        guard try await namespaceExists(name) else { return }
        try await run(nil, ["netns", "delete", name])
    }
}

/// Decodes `ip -j` output. Pure, so it is tested against captured JSON.
public enum IPRoute2Parser {
    struct Link: Decodable {
        var ifindex: Int
        var ifname: String
        var ifalias: String?
        var master: String?
        var flags: [String]?
        var address: String?
        var linkinfo: LinkInfoJSON?
        struct LinkInfoJSON: Decodable { var info_kind: String? }
    }

    struct AddressLink: Decodable {
        var ifname: String
        var addr_info: [AddressInfo]?
        struct AddressInfo: Decodable {
            var family: String?
            var local: String?
            var prefixlen: Int?
        }
    }

    public static func links(linkJSON: String, addressJSON: String) throws -> [LinkInfo] {
        let decoder = JSONDecoder()
        do {
            let links = try decoder.decode([Link].self, from: Data(linkJSON.utf8))
            let addressed = addressJSON.trimmingWhitespace().isEmpty
                ? [] : try decoder.decode([AddressLink].self, from: Data(addressJSON.utf8))
            var addresses: [String: [IPv4Interface]] = [:]
            for entry in addressed {
                for info in entry.addr_info ?? [] where info.family == "inet" {
                    if let local = info.local.flatMap({ IPv4Address($0) }), let prefix = info.prefixlen,
                       let interface = IPv4Interface(address: local, prefixLength: prefix) {
                        addresses[entry.ifname, default: []].append(interface)
                    }
                }
            }
            return links.map { link in
                LinkInfo(
                    index: link.ifindex, name: link.ifname,
                    alias: link.ifalias, kind: link.linkinfo?.info_kind, master: link.master,
                    isUp: link.flags?.contains("UP") ?? false, macAddress: link.address,
                    addresses: addresses[link.ifname] ?? [])
            }
        } catch {
            throw VICError.wrapping(error, "cannot read iproute2 output")
        }
    }
}
