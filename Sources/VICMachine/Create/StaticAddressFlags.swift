import VICConfig
import VICCore

/// Parses `--{public,client,management}-network-ip` and `-gateway` (VIC 0.8+ `ProcessNetwork`):
/// the IP is a CIDR, the gateway is `GW` or `CIDR[,CIDR…]:GW`.
enum StaticAddressFlags {
    struct Parsed: Equatable {
        var address: IPv4Interface?
        var gateway: GatewaySpec?
    }

    static func parse(
        role: NetworkRole, ip: String?, gateway: String?, into report: inout ValidationReport
    ) -> Parsed {
        let flagIP = "--\(role.rawValue)-network-ip"
        let flagGateway = "--\(role.rawValue)-network-gateway"
        var parsed = Parsed()
        if let ip {
            if let address = IPv4Interface(ip) {
                parsed.address = address
            } else {
                report.fail(flagIP,
                    "Failed to parse the provided \(role.rawValue) network IP address \(ip): invalid CIDR address: \(ip)")
            }
        }
        if let gateway {
            if ip == nil {
                report.fail(flagGateway, "Gateway provided without static IP for \(role.rawValue) network")
            }
            switch parseGateway(gateway) {
            case .success(let spec): parsed.gateway = spec
            case .failure(let message):
                report.fail(flagGateway, "Invalid \(role.rawValue) network gateway: \(message)")
            }
        }
        if let address = parsed.address, let spec = parsed.gateway,
           !address.network.contains(spec.address) {
            report.fail(flagGateway,
                "\(role.rawValue) gateway with IP \(spec.address) is not reachable from \(address.network)")
        }
        return parsed
    }

    enum GatewayResult: Equatable {
        case success(GatewaySpec)
        case failure(String)
    }

    /// `GW` or `CIDR[,CIDR…]:GW`.
    static func parseGateway(_ text: String) -> GatewayResult {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return .failure("gateway \(text) specified incorrectly") }
        let gatewayText = String(parts[parts.count - 1])
        guard let address = IPv4Address(gatewayText) else {
            return .failure("Provided gateway IP address is not valid: \(gatewayText)")
        }
        var destinations: [IPv4Network] = []
        if parts.count == 2 {
            for cidr in parts[0].split(separator: ",", omittingEmptySubsequences: false) {
                guard let network = IPv4Interface(cidr)?.network else {
                    return .failure("invalid CIDR in gateway specification: invalid CIDR address: \(cidr)")
                }
                destinations.append(network)
            }
        }
        return .success(GatewaySpec(destinations: destinations, address: address))
    }
}
