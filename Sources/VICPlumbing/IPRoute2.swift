import CVICSystem
import Foundation
import VICCore
import VICSystem

/// `LinkControl` through iproute2's `ip` command (which speaks rtnetlink), reading its JSON output.
/// A native rtnetlink implementation can replace it behind the same protocol.
public struct IPRoute2: LinkControl {
    let ip: String
    /// iproute2's `bridge` tool, for VLAN membership of bridge ports.
    let bridge: String

    public init(ip: String = "/usr/sbin/ip", bridge: String = "/usr/sbin/bridge") {
        self.ip = ip
        self.bridge = bridge
    }

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

    public func createBridge(named name: String, alias: String?, in namespace: String?) async throws {
        try await run(namespace, ["link", "add", "name", name, "type", "bridge"])
        if let alias { try await run(namespace, ["link", "set", "dev", name, "alias", alias]) }
        try await run(namespace, ["link", "set", "dev", name, "up"])
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
        // One process: a missing link is "Cannot find device", not a listing first.
        try await apply([.deleteLink(name)], in: namespace)
    }

    /// One `ip [-n NS] -force -batch -` process for all of `changes`; every change is attempted,
    /// then the first that failed for a reason other than "already done" is thrown.
    public func apply(_ changes: [LinkChange], in namespace: String?) async throws {
        guard !changes.isEmpty else { return }
        let script = try IPRoute2Batch.script(changes)
        let prefix = namespace.map { ["-n", $0] } ?? []
        let result = try await Command.run(ip, prefix + ["-force", "-batch", "-"], stdin: script)
        if let error = IPRoute2Batch.firstError(changes, status: result.status, standardError: result.standardError) {
            throw error
        }
    }

    public func addAddress(_ address: IPv4Interface, to link: String, in namespace: String?) async throws {
        try await run(namespace, ["address", "replace", address.description, "dev", link])
    }

    public func addAddress6(_ address: IPv6Interface, to link: String, in namespace: String?) async throws {
        try await run(namespace, IPRoute2Batch.arguments(.addAddress6(address, link: link)))
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

    public func deleteRoute(to destination: IPv4Network?, in namespace: String?) async throws {
        let result = try await Command.run(
            ip, (namespace.map { ["-n", $0] } ?? []) + ["route", "del", destination?.description ?? "default"])
        // "No such process": there was no such route.
        if !result.succeeded && !result.standardError.contains("No such process") {
            throw VICError(.internal, "delete route \(destination?.description ?? "default"): \(result.standardError.trimmingWhitespace())")
        }
    }

    public func setVLANFiltering(_ enabled: Bool, bridge name: String, in namespace: String?) async throws {
        try await run(namespace, IPRoute2Arguments.vlanFiltering(enabled, bridge: name))
    }

    public func addBridgeVLAN(
        _ vid: Int, to link: String, untaggedPVID: Bool, onBridgeItself: Bool, in namespace: String?
    ) async throws {
        let arguments = try IPRoute2Arguments.addVLAN(vid, to: link, untaggedPVID: untaggedPVID, onBridgeItself: onBridgeItself)
        try await Command.check(bridge, (namespace.map { ["-n", $0] } ?? []) + arguments)
    }

    public func removeBridgeVLAN(_ vid: Int, from link: String, in namespace: String?) async throws {
        let arguments = try IPRoute2Arguments.removeVLAN(vid, from: link)
        let result = try await Command.run(bridge, (namespace.map { ["-n", $0] } ?? []) + arguments)
        // A port or VLAN that is already gone is what we wanted.
        if !result.succeeded && !result.standardError.contains("Cannot find device")
            && !result.standardError.contains("No such") {
            throw VICError(.internal, "remove VLAN \(vid) from \(link): \(result.standardError.trimmingWhitespace())")
        }
    }

    public func createVLANLink(named name: String, parent: String, vid: Int, in namespace: String?) async throws {
        if try await !links(in: namespace).contains(where: { $0.name == name }) {
            try await run(namespace, try IPRoute2Arguments.addVLANLink(named: name, parent: parent, vid: vid))
        }
        try await run(namespace, ["link", "set", "dev", name, "up"])
    }

    public func namespaceExists(_ name: String) async throws -> Bool {
        FileManager.default.fileExists(atPath: "/run/netns/\(name)")
    }

    public func createNamespace(_ name: String) async throws {
        try await createNamespace(name, loopbackUp: true)
    }

    /// What `ip netns add` does, without a process (`cvic_create_netns`, on a dedicated thread:
    /// the namespace switch there touches no other thread).
    public func createNamespace(_ name: String, loopbackUp: Bool) async throws {
        let path = "/run/netns/\(name)"
        let failure: Int32? = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: cvic_create_netns("/run/netns", path) == 0 ? nil : errno)
            }
        }
        if let failure {
            throw VICError(.internal, "create network namespace \(name): \(String(cString: strerror(failure)))")
        }
        if loopbackUp { try await run(name, ["link", "set", "dev", "lo", "up"]) }
    }

    /// What `ip netns delete` does, without a process: detach the bind mount that names the
    /// namespace, then remove its file. The namespace itself goes when nothing uses it.
    public func deleteNamespace(_ name: String) async throws {
        let path = "/run/netns/\(name)"
        guard try await namespaceExists(name) else { return }
        if umount2(path, Int32(MNT_DETACH)) != 0 && errno != EINVAL && errno != ENOENT {
            throw errnoError("unmount \(path)")
        }
        if unlink(path) != 0 && errno != ENOENT { throw errnoError("remove \(path)") }
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

/// The argument lists of the iproute2 commands that change VLANs. Pure, so their exact form is
/// tested without root; VLAN IDs outside 1...4094 are refused before anything runs.
public enum IPRoute2Arguments {
    static func check(_ vid: Int) throws {
        guard (1...4094).contains(vid) else { throw VICError(.invalidArgument, "VLAN ID \(vid) is not in 1...4094") }
    }

    /// `ip link set dev BR type bridge vlan_filtering 0|1`.
    public static func vlanFiltering(_ enabled: Bool, bridge: String) -> [String] {
        ["link", "set", "dev", bridge, "type", "bridge", "vlan_filtering", enabled ? "1" : "0"]
    }

    /// `bridge vlan add dev X vid N [pvid untagged] [self]`.
    public static func addVLAN(_ vid: Int, to link: String, untaggedPVID: Bool, onBridgeItself: Bool) throws -> [String] {
        try check(vid)
        return ["vlan", "add", "dev", link, "vid", String(vid)] + (untaggedPVID ? ["pvid", "untagged"] : [])
            + (onBridgeItself ? ["self"] : [])
    }

    /// `bridge vlan del dev X vid N`.
    public static func removeVLAN(_ vid: Int, from link: String) throws -> [String] {
        try check(vid)
        return ["vlan", "del", "dev", link, "vid", String(vid)]
    }

    /// `ip link add link PARENT name NAME type vlan id N`.
    public static func addVLANLink(named name: String, parent: String, vid: Int) throws -> [String] {
        try check(vid)
        return ["link", "add", "link", parent, "name", name, "type", "vlan", "id", String(vid)]
    }
}
