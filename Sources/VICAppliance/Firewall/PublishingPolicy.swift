import Foundation
import VICConfig
import VICCore
import VICPortLayer

/// Where and how a VCH publishes container ports: on the public NIC's address, with host
/// ports from the appliance's ephemeral range, never on the Docker API port when the client
/// role shares the public NIC.
enum PublishingPolicy {
    /// nil when the public NIC has no address yet (DHCP without a lease): `-p` then fails at start.
    static func allocator(for configuration: VCHConfiguration,
                          rangeFile: String = "/proc/sys/net/ipv4/ip_local_port_range") -> PortAllocator? {
        guard let publicNIC = configuration.nic(for: .public), let address = publicNIC.address?.address else {
            return nil
        }
        var reserved: Set<PortAllocator.PortKey> = []
        if publicNIC.roles.contains(.client), let port = UInt16(exactly: configuration.apiPort) {
            reserved.insert(.init(.tcp, port))
        }
        return PortAllocator(publicAddress: address, ephemeral: ephemeralRange(rangeFile) ?? 32768...60999,
                             reserved: reserved)
    }

    /// `ip_local_port_range`: "32768\t60999".
    static func ephemeralRange(_ file: String) -> ClosedRange<UInt16>? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let bounds = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { UInt16($0) }
        guard bounds.count == 2, bounds[0] > 0, bounds[0] <= bounds[1] else { return nil }
        return bounds[0]...bounds[1]
    }
}
