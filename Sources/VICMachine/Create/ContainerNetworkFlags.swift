import Foundation
import VICConfig
import VICCore

/// Parses `--container-network PG[:ALIAS]` and its keyed sub-options with VIC's rules and
/// messages (vic-reference §1.2–1.3). Sub-options are keyed by port-group name as in VIC, and
/// also by alias where the alias names exactly one container network.
struct ContainerNetworkFlags {
    struct Declared: Equatable {
        var portGroup: String
        var name: String
        var gateway: IPv4Interface?
        var gatewayText: String?
        var ranges: [IPv4Range] = []
        var rangeTexts: [String] = []
        var dnsServers: [IPv4Address] = []
        var trust: TrustLevel = .published
    }

    static func parse(_ options: CreateOptions, into report: inout ValidationReport) -> [Declared] {
        var declared: [Declared] = []
        for parameter in options.containerNetworks {
            let parts = parameter.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2 else {
                report.fail("--container-network", "Invalid value for parameter \(parameter)")
                continue
            }
            let portGroup = parts[0]
            guard !portGroup.isEmpty else {
                report.fail("--container-network", "Container network not specified in parameter \(parameter)")
                continue
            }
            let alias = parts.count == 2 ? parts[1] : ""
            if portGroup.contains(" ") && alias.isEmpty {
                report.fail("--container-network",
                    "A network alias must be supplied when network name \(quoted(parameter)) contains spaces.")
                continue
            }
            if alias.contains(" ") {
                report.fail("--container-network",
                    "The network alias supplied in \(quoted(parameter)) cannot contain spaces.")
                continue
            }
            let name = alias.isEmpty ? portGroup : alias
            if name == "bridge" {
                report.fail("--container-network", "Cannot use reserved name \"bridge\" for container network")
                continue
            }
            if let other = declared.first(where: { $0.name == name }) {
                report.fail("--container-network",
                    "network name \(quoted(name)) is given to both \(quoted(other.portGroup)) and \(quoted(portGroup))")
                continue
            }
            if declared.contains(where: { $0.portGroup == portGroup }) {
                report.fail("--container-network", "port group \(quoted(portGroup)) is given more than once")
                continue
            }
            declared.append(Declared(portGroup: portGroup, name: name))
        }

        let keys = KeyResolver(declared: declared)
        for parameter in options.containerNetworkGateways {
            let flag = "--container-network-gateway"
            guard let (index, value) = keys.split(parameter, flag: flag, report: &report) else { continue }
            guard let gateway = IPv4Interface(value) else {
                report.fail(flag, "Error parsing container network parameter \(parameter): invalid CIDR address: \(value)")
                continue
            }
            guard declared[index].gateway == nil else {
                report.fail(flag, "Duplicate gateway specified for container network \(declared[index].portGroup)")
                continue
            }
            declared[index].gateway = gateway
            declared[index].gatewayText = value
        }
        for parameter in options.containerNetworkIPRanges {
            let flag = "--container-network-ip-range"
            guard let (index, value) = keys.split(parameter, flag: flag, report: &report) else { continue }
            guard let range = IPv4Range(parsing: value) else {
                report.fail(flag, "Error parsing container network parameter \(parameter): parse error: \(value)")
                continue
            }
            declared[index].ranges.append(range)
            declared[index].rangeTexts.append(value)
        }
        for parameter in options.containerNetworkDNS {
            let flag = "--container-network-dns"
            guard let (index, value) = keys.split(parameter, flag: flag, report: &report) else { continue }
            guard !value.isEmpty else {
                report.fail(flag, "DNS IP not specified for container network \(declared[index].portGroup)")
                continue
            }
            guard let server = IPv4Address(value) else {
                report.fail(flag, "Error parsing container network parameter \(parameter): invalid IP address: \(value)")
                continue
            }
            declared[index].dnsServers.append(server)
        }
        for parameter in options.containerNetworkFirewalls {
            let flag = "--container-network-firewall"
            guard let (index, value) = keys.split(parameter, flag: flag, report: &report) else { continue }
            if value.isEmpty { continue }
            guard let trust = TrustLevel(rawValue: value.lowercased()) else {
                report.fail(flag, "Unrecognized container trust level \(value).")
                continue
            }
            declared[index].trust = trust
        }

        for network in declared { validateAddressing(network, into: &report) }
        return declared
    }

    /// Gateway routability, ranges inside the subnet and not overlapping.
    static func validateAddressing(_ network: Declared, into report: inout ValidationReport) {
        guard let gateway = network.gateway else {
            if !network.ranges.isEmpty {
                report.fail("--container-network-ip-range",
                    "IP range specified without gateway for container network \(quoted(network.portGroup))")
            }
            return
        }
        let subnet = gateway.network
        if !subnet.isRoutable(gateway.address) {
            report.fail("--container-network-gateway",
                "Gateway \(network.gatewayText ?? gateway.description) is not a routable address")
        }
        for (range, text) in zip(network.ranges, network.rangeTexts) where !range.isInside(subnet) {
            report.fail("--container-network-ip-range", "IP range \(quoted(text)) is not in subnet \(quoted(subnet.description))")
        }
        for i in network.ranges.indices {
            for j in network.ranges.indices where j > i && network.ranges[i].overlaps(network.ranges[j]) {
                report.fail("--container-network-ip-range",
                    "Overlapping ip ranges: \(quoted(network.rangeTexts[i])) \(quoted(network.rangeTexts[j]))")
            }
        }
    }

    /// Finds which declared network a `KEY:VALUE` sub-option belongs to.
    struct KeyResolver {
        let declared: [Declared]

        func split(_ parameter: String, flag: String, report: inout ValidationReport) -> (Int, String)? {
            guard let colon = parameter.firstIndex(of: ":") else {
                report.fail(flag, "Invalid value for parameter \(parameter)")
                return nil
            }
            let key = String(parameter[..<colon])
            let value = String(parameter[parameter.index(after: colon)...])
            if let index = declared.firstIndex(where: { $0.portGroup == key }) { return (index, value) }
            let byAlias = declared.indices.filter { declared[$0].name == key }
            if byAlias.count == 1 { return (byAlias[0], value) }
            report.fail(flag,
                "The following container network \(key) is set, but CONTAINER-NETWORK cannot be found. "
                    + "Please check the --container-network and \(flag) settings (\(parameter))")
            return nil
        }
    }
}

/// Go's %q for the strings vic prints.
func quoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
