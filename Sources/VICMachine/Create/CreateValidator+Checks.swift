import Foundation
import VICConfig
import VICCore

extension CreateValidator {
    func validateName(into report: inout ValidationReport) {
        let name = options.name
        let allowed = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        if name.isEmpty || name.count > 31 || !allowed || !(name.first?.isLetter ?? false || name.first?.isNumber ?? false) {
            report.fail("--name",
                "invalid VCH name \(quoted(name)): use 1 to 31 letters, digits, '-', '_' or '.', starting with a letter or digit")
            return
        }
        if host.existingVCHs.contains(name) {
            report.fail("--name", "a VCH named \(quoted(name)) already exists; delete it first or choose another --name")
        } else if let taken = ["vch-\(name)", "vch-\(name)-host"].first(where: host.existingNamespaces.contains) {
            report.fail("--name", "network namespace \(taken) already exists")
        }
        let prefix = "vh\(PortGroupNaming.hash(name, digits: 8))-"
        let hostOnly = "vicho-" + PortGroupNaming.hash(name, digits: 9)
        if let clash = host.links.first(where: { $0.name.hasPrefix(prefix) || $0.name == hostOnly }) {
            report.fail("--name", "link \(clash.name) already exists on this host")
        }
    }

    func validateIgnoredFlags(into report: inout ValidationReport) {
        for flag in options.ignoredVSphereFlags {
            report.warn("\(flag): vSphere option has no meaning on Linux; ignored")
        }
        if let target = options.target, !["", "local", "localhost"].contains(target) {
            report.warn("--target \(redactingPassword(target)): vic deploys to this Linux host; the vSphere target is ignored")
        }
    }

    /// `user:pass@host` → `user:***@host`, so passwords are not echoed in logs.
    func redactingPassword(_ target: String) -> String {
        guard let at = target.lastIndex(of: "@"), let colon = target[..<at].firstIndex(of: ":") else { return target }
        return String(target[...colon]) + "***" + String(target[at...])
    }

    func parseBridgeRange(into report: inout ValidationReport) -> IPv4Network? {
        let text = options.bridgeNetworkRange ?? CreateValidator.defaultBridgeRange
        guard let range = IPv4Network(cidr: text) else {
            report.fail("--bridge-network-range",
                "Error parsing bridge network ip range: invalid CIDR address: \(text). Range must be in CIDR format, e.g., 172.16.0.0/12")
            return nil
        }
        let widthText = options.bridgeNetworkWidth ?? "\(CreateValidator.defaultBridgeWidth)"
        guard let width = Int(widthText), width >= 0, width < 31 else {
            report.fail("--bridge-network-width",
                "Error parsing bridge network width: \(widthText). Width must be an integer less than 31.")
            return range
        }
        if width < range.prefixLength {
            report.fail("--bridge-network-width",
                "Error specifying bridge network width: \(width). Width must be larger than prefix of bridge network ip range.")
        }
        return range
    }

    /// Resolves the public, client and management port groups (client defaults to public,
    /// management to client), reporting each one that is not there.
    func resolveRoles(_ portGroups: PortGroupResolver, into report: inout ValidationReport) -> RoleNetworks {
        var roles = RoleNetworks()
        let publicLabel = options.publicNetwork ?? CreateValidator.defaultPublicNetwork
        let labels: [(NetworkRole, String?, String)] = [
            (.public, publicLabel, "--public-network"),
            (.client, options.clientNetwork, "--client-network"),
            (.management, options.managementNetwork, "--management-network"),
        ]
        var previous: NetworkRole?
        for (role, label, flag) in labels {
            defer { previous = role }
            guard let label else {
                // Defaults: client → public, management → client.
                if let previous {
                    roles.link[role] = roles.link[previous]
                    roles.label[role] = roles.label[previous]
                }
                continue
            }
            roles.label[role] = label
            if let link = portGroups.resolve(label) {
                roles.link[role] = link
            } else {
                report.fail(flag,
                    "Error checking network for \(flag): network '\(label)' not found." + portGroups.suggestions(flag: flag))
            }
        }
        roles.staticConfig[.public] = StaticAddressFlags.parse(
            role: .public, ip: options.publicNetworkIP, gateway: options.publicNetworkGateway, into: &report)
        roles.staticConfig[.client] = StaticAddressFlags.parse(
            role: .client, ip: options.clientNetworkIP, gateway: options.clientNetworkGateway, into: &report)
        roles.staticConfig[.management] = StaticAddressFlags.parse(
            role: .management, ip: options.managementNetworkIP, gateway: options.managementNetworkGateway,
            into: &report)
        return roles
    }

    /// The embedded default: a host-only bridge for public, client and management, where the
    /// host takes the first address and the VCH the second.
    func planHostOnly(into report: inout ValidationReport) -> (portGroup: PortGroupToCreate, roles: RoleNetworks)? {
        let hostNetworks = host.links.flatMap(\.addresses).map(\.network)
        let subnet: IPv4Network
        if let text = options.hostOnlyNetwork {
            guard let parsed = IPv4Interface(text)?.network, parsed.prefixLength <= 29 else {
                report.fail("--host-only-network", "invalid subnet \(quoted(text)): give a CIDR of /29 or larger, e.g. 192.168.213.0/24")
                return nil
            }
            if let clash = hostNetworks.first(where: { $0.overlaps(parsed) }) {
                report.fail("--host-only-network", "subnet \(parsed) overlaps \(clash), already on this host")
                return nil
            }
            subnet = parsed
        } else {
            let candidates = (213...254).compactMap { IPv4Network(cidr: "192.168.\($0).0/24") }
            guard let free = candidates.first(where: { candidate in !hostNetworks.contains { $0.overlaps(candidate) } }) else {
                report.fail("--host-only-network", "no free /24 in 192.168.213.0-192.168.254.255 for the host-only network; give one")
                return nil
            }
            subnet = free
        }
        guard let hostIP = subnet.first.advanced(by: 1), let vchIP = subnet.first.advanced(by: 2),
              let hostAddress = IPv4Interface(address: hostIP, prefixLength: subnet.prefixLength),
              let vchAddress = IPv4Interface(address: vchIP, prefixLength: subnet.prefixLength)
        else { return nil }
        let link = "vicho-" + PortGroupNaming.hash(options.name, digits: 9)
        report.note("No \(quoted(CreateValidator.defaultPublicNetwork)) on this host: creating host-only network \(link) (\(subnet)); the host is \(hostIP), the VCH \(vchIP)")
        var roles = RoleNetworks()
        for role in [NetworkRole.public, .client, .management] {
            roles.link[role] = link
            roles.label[role] = "vic host-only \(options.name)"
        }
        roles.staticConfig[.public] = StaticAddressFlags.Parsed(
            address: vchAddress, gateway: GatewaySpec(destinations: [], address: hostIP))
        let portGroup = PortGroupToCreate(linkName: link, alias: "vic host-only \(options.name)", hostAddress: hostAddress)
        return (portGroup, roles)
    }

    func parseDNSServers(into report: inout ValidationReport) -> [IPv4Address] {
        var servers: [IPv4Address] = []
        for text in options.dnsServers where !text.isEmpty {
            guard let server = IPv4Address(text) else {
                report.fail("--dns-server", "Invalid DNS server specified: \(text)")
                continue
            }
            servers.append(server)
        }
        if servers.count > 3 {
            report.warn("Maximum of 3 DNS servers allowed. Additional servers specified will be ignored.")
        }
        return Array(servers.prefix(3))
    }

    func validateTLS(into report: inout ValidationReport) -> (caFiles: [String], directory: String?) {
        if options.noTLS {
            if !options.tlsCAFiles.isEmpty {
                report.fail("--tls-ca", "client verification needs TLS; remove --no-tls or --tls-ca")
            }
            return ([], nil)
        }
        var files: [String] = []
        for file in options.tlsCAFiles {
            let path = absolute(file)
            do {
                try checkCAFile(path)
                files.append(path)
            } catch let error as VICError {
                // The loader's messages already start with "--tls-ca FILE:".
                report.fail(error.message.hasPrefix("--tls-ca") ? "" : "--tls-ca", error.message)
            } catch {
                report.fail("--tls-ca", "\(file): \(error)")
            }
        }
        let name = options.tlsCommonName ?? options.name
        do { _ = try ServerIdentity(ipAddresses: [], dnsNames: [name]) } catch let error as VICError {
            report.fail(options.tlsCommonName == nil ? "--name" : "--tls-cname", "cannot be a certificate name: \(error.message)")
        } catch {
            report.fail("--tls-cname", "\(error)")
        }
        let directory = absolute(options.tlsCertPath ?? options.name)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            report.fail("--tls-cert-path", "\(directory) is a file, not a directory")
        }
        return (files, directory)
    }

    func validateRegistries(into report: inout ValidationReport) {
        for mirror in options.registryMirrors {
            guard let url = URL(string: mirror), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                report.fail("--registry-mirror", "invalid URL \(quoted(mirror)): give http(s)://HOST[:PORT]")
                continue
            }
        }
        for registry in options.insecureRegistries {
            let parts = registry.split(separator: ":", omittingEmptySubsequences: false)
            let portOK = parts.count == 1 || (parts.count == 2 && UInt16(parts[1]) != nil)
            if parts.isEmpty || parts[0].isEmpty || !portOK || registry.contains("/") {
                report.fail("--insecure-registry", "invalid registry \(quoted(registry)): give HOST[:PORT]")
            }
        }
    }

    /// `--volume-store DIR:LABEL`: an absolute directory (made when the first volume is; one that
    /// exists must be a directory) under a label of `[a-zA-Z0-9][a-zA-Z0-9_.-]*`; labels and
    /// directories are unique.
    func parseVolumeStores(into report: inout ValidationReport) -> [VolumeStoreLocation] {
        var stores: [VolumeStoreLocation] = []
        for spec in options.volumeStores {
            guard let colon = spec.lastIndex(of: ":") else {
                report.fail("--volume-store", "\(quoted(spec)) needs a label: give DIR:LABEL (LABEL default for docker volume create)")
                continue
            }
            let path = String(spec[..<colon]), label = String(spec[spec.index(after: colon)...])
            guard path.hasPrefix("/"), !path.contains("//"), !path.split(separator: "/").contains(".."), path != "/" else {
                report.fail("--volume-store", "directory \(quoted(path)) must be an absolute path other than /")
                continue
            }
            guard let first = label.first, first.isASCII, first.isLetter || first.isNumber,
                  label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }) else {
                report.fail("--volume-store", "label \(quoted(label)) must match [a-zA-Z0-9][a-zA-Z0-9_.-]*")
                continue
            }
            let clean = path.hasSuffix("/") ? String(path.dropLast()) : path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: clean, isDirectory: &isDirectory), !isDirectory.boolValue {
                report.fail("--volume-store", "\(quoted(clean)) exists and is not a directory")
                continue
            }
            if stores.contains(where: { $0.label == label }) {
                report.fail("--volume-store", "label \(quoted(label)) is given twice")
                continue
            }
            if stores.contains(where: { $0.path == clean }) {
                report.fail("--volume-store", "directory \(quoted(clean)) is given twice")
                continue
            }
            if let outer = stores.first(where: { clean.hasPrefix($0.path + "/") || $0.path.hasPrefix(clean + "/") }) {
                report.fail("--volume-store", "directory \(quoted(clean)) and \(quoted(outer.path)) lie one inside the other")
                continue
            }
            stores.append(VolumeStoreLocation(label: label, path: clean))
        }
        return stores
    }

    /// `--container-runtime`: crun or runc, installed on this host.
    func validateRuntime(into report: inout ValidationReport) {
        guard let runtime = options.containerRuntime else { return }
        guard ["crun", "runc"].contains(runtime) else {
            report.fail("--container-runtime", "unknown OCI runtime \(quoted(runtime)): use crun or runc")
            return
        }
        let directories = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"]
        if !directories.contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(runtime)") }) {
            report.fail("--container-runtime", "OCI runtime \(runtime) is not installed (apt-get install \(runtime))")
        }
    }

    func absolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : workingDirectory + "/" + path
        return (joined as NSString).standardizingPath
    }
}
