import VICConfig
import VICCore

/// The packet filter of one container's network namespace: the trust level of each container
/// network it is on (VIC's `--container-network-firewall`), as one nftables batch that replaces
/// the `inet vic` table whole. Pure: the same members give the same text (golden tests).
///
/// Per container-network NIC, inbound:
/// - `closed`: nothing in or out (DHCP excepted for a leased address); `-p` is refused earlier.
/// - `outbound`: replies to what the container opened.
/// - `published`: replies, ping, and the `-p` ports: `-p 80` opens 80; `-p 80:8080` opens
///   8080 and redirects 80 to it.
/// - `open`: everything; `-p a:b` still redirects.
/// - `peers`: replies, plus everything from the network's own ranges (its subnet when it has
///   none); `-p a:b` redirects.
/// Loopback and bridge NICs are not filtered here (the appliance firewall and one Linux bridge
/// per network isolate bridge networks). The container has no CAP_NET_ADMIN, so it cannot change this.
public struct TrustRuleset: Sendable, Equatable {
    /// One container-network NIC of the container.
    public struct Member: Sendable, Equatable {
        /// The NIC's name inside the container.
        public var interface: String
        /// The network's `--container-network-firewall` level.
        public var trust: TrustLevel
        /// The address came from DHCP: the lease must keep renewing.
        public var dynamic: Bool
        /// Who counts as a peer (`peers`): the network's ranges, else its subnet.
        public var peers: [IPv4Range]
        /// `-p` requests that apply to this NIC.
        public var ports: [PortBinding]

        /// A member; not dynamic, no peers and no ports unless given.
        public init(interface: String, trust: TrustLevel, dynamic: Bool = false, peers: [IPv4Range] = [],
                    ports: [PortBinding] = []) {
            self.interface = interface
            self.trust = trust
            self.dynamic = dynamic
            self.peers = peers
            self.ports = ports
        }
    }

    /// The container's container-network NICs; bridge NICs are never members.
    public var members: [Member]

    /// A ruleset for `members`; rendering is pure.
    public init(members: [Member]) { self.members = members }

    /// Refuses `-p` requests a trust level cannot honour (VIC's messages).
    public static func validate(_ bindings: [PortBinding], trust: TrustLevel, network: String) throws {
        guard !bindings.isEmpty else { return }
        switch trust {
        case .closed, .outbound:
            throw VICError(.invalidArgument, "ports cannot be published via container network \(network) (firewall configured as either \"closed\" or \"outbound\")")
        case .peers:
            if bindings.contains(where: { $0.hostPorts == nil }) {
                throw VICError(.invalidArgument, "ports published via container network \(network) must specify a mapping (firewall configured for \"peers\" - no need for publishing unless redirecting)")
            }
        case .published, .open:
            break
        }
        for binding in bindings {
            if let hosts = binding.hostPorts, hosts.count > 1 {
                throw VICError(.invalidArgument, "ports published on external networks cannot include both a redirect and a range (\(hosts.lowerBound)-\(hosts.upperBound):\(binding.containerPort))")
            }
        }
    }

    /// The nft batch for the container's namespace: redirects in prerouting, per-NIC accepts then
    /// a drop in input, and for `closed` a drop in output. `open` NICs get only their redirects.
    /// Loading it needs CAP_NET_ADMIN in the container's network namespace.
    public func render() -> String {
        var input: [String] = []
        var output: [String] = []
        var redirects: [String] = []
        for member in members {
            let nic = "\"\(member.interface)\""
            for binding in member.ports.sorted(by: Self.order) {
                if let host = binding.hostPorts?.lowerBound, host != binding.containerPort {
                    redirects.append("iifname \(nic) \(binding.transport.rawValue) dport \(host) redirect to :\(binding.containerPort)")
                }
            }
            if member.trust == .open { continue }
            if member.dynamic {
                input.append("iifname \(nic) udp sport 67 udp dport 68 accept")
            }
            switch member.trust {
            case .closed:
                if member.dynamic { output.append("oifname \(nic) udp sport 68 udp dport 67 accept") }
                output.append("oifname \(nic) drop")
            case .outbound:
                input.append("iifname \(nic) ct state established,related accept")
            case .published:
                input.append("iifname \(nic) ct state established,related accept")
                input.append("iifname \(nic) icmp type echo-request accept")
                for binding in member.ports.sorted(by: Self.order) {
                    input.append("iifname \(nic) \(binding.transport.rawValue) dport \(binding.containerPort) accept")
                }
            case .peers:
                input.append("iifname \(nic) ct state established,related accept")
                if !member.peers.isEmpty {
                    let set = member.peers.map(Self.element).joined(separator: ", ")
                    input.append("iifname \(nic) ip saddr { \(set) } accept")
                }
            case .open:
                break
            }
            input.append("iifname \(nic) drop")
        }
        var lines = ["table inet vic", "delete table inet vic", "table inet vic {"]
        lines += chain("input", "type filter hook input priority filter; policy accept;", input)
        lines += chain("output", "type filter hook output priority filter; policy accept;", output)
        lines += chain("prerouting", "type nat hook prerouting priority dstnat; policy accept;", redirects)
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    func chain(_ name: String, _ hook: String, _ rules: [String]) -> [String] {
        ["  chain \(name) {", "    \(hook)"] + rules.map { "    " + $0 } + ["  }"]
    }

    static func order(_ a: PortBinding, _ b: PortBinding) -> Bool {
        (a.transport.rawValue, a.containerPort, a.hostPorts?.lowerBound ?? 0)
            < (b.transport.rawValue, b.containerPort, b.hostPorts?.lowerBound ?? 0)
    }

    /// A range as an nft set element: `a.b.c.d/n` when it is one block, else `first-last`.
    static func element(_ range: IPv4Range) -> String {
        if let network = range.exactNetwork { return network.description }
        return range.first == range.last ? range.first.description : "\(range.first)-\(range.last)"
    }
}
