import Foundation
import VICConfig
import VICCore
import VICPlumbing

/// Reads what validation needs to know about the host, changing nothing.
struct HostInspector {
    let links: any LinkControl
    let paths: VCHPaths

    func snapshot() async throws -> HostSnapshot {
        let namespaces = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        return HostSnapshot(
            links: try await links.links(in: nil),
            existingVCHs: Set(ConfigurationStore(paths: paths).names()),
            existingNamespaces: Set(namespaces),
            hostResolvers: HostInspector.resolvers())
    }

    /// The non-loopback IPv4 nameservers of /etc/resolv.conf.
    static func resolvers(_ path: String = "/etc/resolv.conf") -> [IPv4Address] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, fields[0] == "nameserver", let address = IPv4Address(fields[1]),
                  address.octets[0] != 127 else { return nil }
            return address
        }
    }
}
