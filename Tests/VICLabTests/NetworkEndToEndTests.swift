import Foundation
import Testing
import VICCore
import VICSystem

/// Networks (issue 4) through the docker CLI: container networks as in the article, user
/// bridge networks isolated from each other, connect/disconnect, `--net none`, DHCP container networks
/// and trust levels.
@Suite(.serialized, .tags(.privileged, .endToEnd))
struct NetworkEndToEndTests {
    /// The docker CLI against one VCH, from the lab client `from`.
    struct Client: Sendable {
        let lab: Lab
        let vch: String
        let host: String
        var from = "cpub"

        func run(_ arguments: [String]) async throws -> CommandResult {
            try await lab.docker(from: from, vch: vch, ["-H", host, "--tls"] + arguments)
        }

        /// Runs and requires success; returns stdout without surrounding whitespace.
        func ok(_ arguments: [String], _ location: SourceLocation = #_sourceLocation) async throws -> String {
            let result = try await run(arguments)
            try #require(result.succeeded, "docker \(arguments.joined(separator: " ")): \(result.combined)", sourceLocation: location)
            return result.standardOutput.trimmingWhitespace()
        }
    }

    /// A lab with a registry, and a VCH `vch` using it as its mirror, created with `flags`.
    func withVCH(_ vch: String, _ flags: [String], _ body: @Sendable (Client) async throws -> Void) async throws {
        try await Lab.with { lab in
            try await lab.startRegistry()
            let client = Client(lab: lab, vch: vch, host: try await lab.createVCH(vch, flags).host)
            _ = try await client.ok(["pull", "busybox"])
            try await body(client)
            let delete = try await lab.vicMachine(["delete", "--name", vch])
            #expect(delete.succeeded, "delete: \(delete.combined)")
            // Every container namespace went with the VCH.
            let namespaces = try await Command.run("/usr/sbin/ip", ["netns", "list"])
            #expect(!namespaces.standardOutput.contains("vch-\(vch)"), "left: \(namespaces.standardOutput)")
        }
    }

    static let articleFlags = [
        "--container-network", "con-nw:con-nw",
        "--container-network-gateway", "con-nw:192.168.100.1/16",
        "--container-network-dns", "con-nw:192.168.100.1",
        "--container-network-ip-range", "con-nw:192.168.100.2-100",
    ]

    @Test func articleContainerNetwork() async throws {
        try await withVCH("cnw", Self.articleFlags) { docker in
            let ls = try await docker.ok(["network", "ls", "--format", "{{.Name}} {{.Driver}}"])
            #expect(ls.split(separator: "\n").sorted() == ["bridge bridge", "con-nw external"], "\(ls)")
            let out = try await docker.ok(["run", "--rm", "--net=con-nw", "busybox", "sh", "-c",
                                           "ip a; netstat -rn; cat /etc/resolv.conf"])
            #expect(out.contains("inet 192.168.100.2/16"), "\(out)")
            #expect(out.contains("0.0.0.0         192.168.100.1   0.0.0.0         UG"), "\(out)")
            #expect(out.contains("192.168.0.0     0.0.0.0         255.255.0.0     U"), "\(out)")
            #expect(out.contains("nameserver 192.168.100.1"), "\(out)")
            // The container is directly on the port group: the lab client there reaches it.
            _ = try await docker.ok(["run", "-d", "--name", "pingme", "--net=con-nw", "busybox", "sleep", "300"])
            let address = try await docker.ok(["inspect", "-f", "{{(index .NetworkSettings.Networks \"con-nw\").IPAddress}}", "pingme"])
            #expect(address == "192.168.100.2", "\(address)")
            let ping = try await docker.lab.run(in: "ccn", ["/bin/busybox", "ping", "-c", "1", "-W", "2", address])
            #expect(ping.succeeded, "the con-nw client cannot ping the container: \(ping.combined)")
            // Published trust (the default): -p 80 opens 80; -p 8081:8080 opens 8080 and
            // redirects 8081 to it; nothing else is open.
            _ = try await docker.ok(["run", "-d", "--name", "web", "--net=con-nw", "-p", "80", "-p", "8081:8080", "busybox",
                                     "sh", "-c", "mkdir /w && echo hi > /w/index.html && httpd -p 8080 -h /w && httpd -p 9090 -h /w && exec httpd -f -p 80 -h /w"])
            let web = try await docker.ok(["inspect", "-f", "{{(index .NetworkSettings.Networks \"con-nw\").IPAddress}}", "web"])
            #expect(try await docker.lab.eventually(from: "ccn", "http://\(web):80/") == "hi", "-p 80 is not open")
            #expect(try await docker.lab.fetch(from: "ccn", "http://\(web):8081/") == "hi", "-p 8081:8080 does not redirect")
            #expect(try await docker.lab.fetch(from: "ccn", "http://\(web):8080/") == "hi", "8080 is not open")
            #expect(try await docker.lab.fetch(from: "ccn", "http://\(web):9090/") == nil, "an unpublished port is open")
            // Reported on the container's own address (vic-reference §3.3), not the public one.
            let ports = try await docker.ok(["port", "web"])
            #expect(ports.contains("80/tcp -> \(web):80") && ports.contains("8080/tcp -> \(web):8081"), "\(ports)")
            _ = try await docker.ok(["rm", "-f", "web", "pingme"])
            // The first free address again, and the /etc files name the network's DNS.
            let again = try await docker.ok(["run", "--rm", "--net=con-nw", "busybox", "ip", "-4", "addr", "show", "eth0"])
            #expect(again.contains("inet 192.168.100.2/16"), "\(again)")
            // --ip on the network; the network is builtin.
            let fixed = try await docker.ok(["run", "--rm", "--net=con-nw", "--ip", "192.168.100.50", "busybox",
                                             "ip", "-4", "addr", "show", "eth0"])
            #expect(fixed.contains("inet 192.168.100.50/16"), "\(fixed)")
            let rm = try await docker.run(["network", "rm", "con-nw"])
            #expect(!rm.succeeded && rm.standardError.contains("cannot remove builtin scope"), "\(rm.combined)")
        }
    }

    @Test func articleContainerNetworkWithASlash24() async throws {
        let flags = [
            "--container-network", "con-nw:con-nw",
            "--container-network-gateway", "con-nw:192.168.100.1/24",
            "--container-network-dns", "con-nw:192.168.100.1",
            "--container-network-ip-range", "con-nw:192.168.100.2-100",
        ]
        try await withVCH("c24", flags) { docker in
            let out = try await docker.ok(["run", "--rm", "--net=con-nw", "busybox", "sh", "-c",
                                           "ip a; netstat -rn; cat /etc/resolv.conf"])
            #expect(out.contains("inet 192.168.100.2/24"), "\(out)")
            #expect(out.contains("0.0.0.0         192.168.100.1   0.0.0.0         UG"), "\(out)")
            #expect(out.contains("192.168.100.0   0.0.0.0         255.255.255.0   U"), "\(out)")
            #expect(out.contains("nameserver 192.168.100.1"), "\(out)")
        }
    }

    @Test func userBridgeNetworks() async throws {
        try await withVCH("ubr", []) { docker in
            // create: the next /16 blocks of the bridge range, --subnet/--gateway/--ip-range honoured.
            let aID = try await docker.ok(["network", "create", "--label", "tier=front", "neta"])
            #expect(aID.count == 64, "\(aID)")
            _ = try await docker.ok(["network", "create", "netb"])
            _ = try await docker.ok(["network", "create", "--subnet", "10.123.0.0/24", "--gateway", "10.123.0.254",
                                     "--ip-range", "10.123.0.128/25", "--internal", "netc"])
            let ipam = try await docker.ok(["network", "inspect", "neta", "netb", "netc", "--format",
                                            "{{.Name}} {{json .IPAM.Config}} {{.Internal}} {{json .Labels}} {{json .IPAM.Options}}"])
            #expect(ipam.contains(#"neta [{"Subnet":"172.17.0.0/16","Gateway":"172.17.0.1"}] false {"tier":"front"} null"#), "\(ipam)")
            #expect(ipam.contains(#"netb [{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"}] false"#), "\(ipam)")
            #expect(ipam.contains(#"netc [{"Subnet":"10.123.0.0/24","IPRange":"10.123.0.128/25","Gateway":"10.123.0.254"}] true"#), "\(ipam)")
            let created1 = try await docker.ok(["network", "inspect", "neta", "--format", "{{.Created}}"])
            let created2 = try await docker.ok(["network", "inspect", "neta", "--format", "{{.Created}}"])
            #expect(created1 == created2)
            let duplicate = try await docker.run(["network", "create", "neta"])
            #expect(!duplicate.succeeded && duplicate.standardError.contains("network neta already exists"), "\(duplicate.combined)")
            let external = try await docker.run(["network", "create", "-d", "external", "ext"])
            #expect(external.standardError.contains("cannot create external networks"), "\(external.combined)")
            let overlay = try await docker.run(["network", "create", "-d", "overlay", "ovl"])
            #expect(!overlay.succeeded && overlay.standardError.contains("not supported"), "\(overlay.combined)")

            // ls filters.
            let custom = try await docker.ok(["network", "ls", "--filter", "type=custom", "--format", "{{.Name}}"])
            #expect(custom.split(separator: "\n").sorted() == ["neta", "netb", "netc"], "\(custom)")
            let labelled = try await docker.ok(["network", "ls", "--filter", "label=tier=front", "--format", "{{.Name}}"])
            #expect(labelled == "neta")

            // Containers: first free address, gateway DNS, default route; internal has none.
            _ = try await docker.ok(["run", "-d", "--name", "a1", "--net", "neta", "--network-alias", "web", "busybox", "sleep", "300"])
            _ = try await docker.ok(["run", "-d", "--name", "b1", "--net", "netb", "busybox", "sleep", "300"])
            let a1 = try await docker.ok(["exec", "a1", "sh", "-c", "ip -4 addr show eth0; netstat -rn; cat /etc/resolv.conf"])
            #expect(a1.contains("inet 172.17.0.2/16") && a1.contains("nameserver 172.17.0.1"), "\(a1)")
            #expect(a1.contains("0.0.0.0         172.17.0.1      0.0.0.0         UG"), "\(a1)")
            let isolated = try await docker.ok(["run", "--rm", "--net", "netc", "busybox", "sh", "-c", "ip -4 addr show eth0; netstat -rn"])
            #expect(isolated.contains("inet 10.123.0.128/24") && !isolated.contains("UG"), "\(isolated)")

            // L2 and L3 isolation: a1 reaches its own gateway, never b1 (nor b1's gateway).
            let b1IP = try await docker.ok(["inspect", "-f", "{{.NetworkSettings.Networks.netb.IPAddress}}", "b1"])
            #expect(b1IP == "172.18.0.2")
            let own = try await docker.run(["exec", "a1", "ping", "-c", "1", "-W", "2", "172.17.0.1"])
            #expect(own.succeeded, "a1 cannot ping its gateway: \(own.combined)")
            let cross = try await docker.run(["exec", "a1", "ping", "-c", "2", "-W", "1", b1IP])
            #expect(!cross.succeeded && cross.standardOutput.contains("100% packet loss"), "neta reached netb: \(cross.combined)")
            let bridged = try await docker.run(["run", "--rm", "busybox", "ping", "-c", "2", "-W", "1", b1IP])
            #expect(!bridged.succeeded, "bridge reached netb: \(bridged.combined)")

            // Inspect lists members, stopped ones too, with their MAC.
            _ = try await docker.ok(["stop", "-t", "1", "b1"])
            let members = try await docker.ok(["network", "inspect", "netb", "--format",
                                               "{{range .Containers}}{{.Name}} {{.IPv4Address}} {{.MacAddress}}{{end}}"])
            #expect(members == "b1 172.18.0.2/16 02:42:ac:12:00:02", "\(members)")
            let inUse = try await docker.run(["network", "rm", "netb"])
            #expect(!inUse.succeeded && inUse.standardError.contains("netb has active endpoints"), "\(inUse.combined)")
            let builtin = try await docker.run(["network", "rm", "bridge"])
            #expect(!builtin.succeeded && builtin.standardError.contains("cannot remove builtin scope"), "\(builtin.combined)")

            // connect / disconnect on a running container: eth1 appears live, then goes.
            _ = try await docker.ok(["network", "connect", "--ip", "172.18.0.77", "--alias", "second", "netb", "a1"])
            let connected = try await docker.ok(["exec", "a1", "ip", "-4", "addr"])
            #expect(connected.contains("inet 172.18.0.77/16") && connected.contains("eth1"), "\(connected)")
            _ = try await docker.ok(["start", "b1"])
            let nowReach = try await docker.run(["exec", "a1", "ping", "-c", "1", "-W", "2", b1IP])
            #expect(nowReach.succeeded, "a1 on netb cannot reach b1: \(nowReach.combined)")
            let aliases = try await docker.ok(["inspect", "-f", "{{json .NetworkSettings.Networks.netb.Aliases}}", "a1"])
            #expect(aliases.contains("second"), "\(aliases)")
            _ = try await docker.ok(["network", "disconnect", "netb", "a1"])
            let disconnected = try await docker.ok(["exec", "a1", "ip", "-4", "addr"])
            #expect(!disconnected.contains("172.18.0.77") && !disconnected.contains("eth1"), "\(disconnected)")
            let route = try await docker.ok(["exec", "a1", "netstat", "-rn"])
            #expect(route.contains("0.0.0.0         172.17.0.1      0.0.0.0         UG"), "\(route)")

            // rm and prune; the subnets go back to the pool.
            _ = try await docker.ok(["rm", "-f", "a1", "b1"])
            #expect(try await docker.ok(["network", "rm", "neta", "netb"]).split(separator: "\n") == ["neta", "netb"])
            _ = try await docker.ok(["network", "create", "netd"])
            let reused = try await docker.ok(["network", "inspect", "netd", "--format", "{{(index .IPAM.Config 0).Subnet}}"])
            #expect(reused == "172.17.0.0/16", "\(reused)")
            let pruned = try await docker.ok(["network", "prune", "-f"])
            #expect(pruned.contains("netc") && pruned.contains("netd"), "\(pruned)")
            let left = try await docker.ok(["network", "ls", "--format", "{{.Name}}"])
            #expect(left == "bridge", "\(left)")
            // The per-network bridges went with their networks.
            let bridges = try await docker.lab.run(["/usr/sbin/ip", "-o", "link", "show", "type", "bridge"])
            #expect(!bridges.standardOutput.contains("vic:ubr:"), "\(bridges.standardOutput)")
        }
    }

    @Test func netNoneLinksAndRunOptions() async throws {
        try await withVCH("opt", []) { docker in
            let none = try await docker.ok(["run", "--rm", "--net", "none", "busybox", "ip", "-o", "link"])
            #expect(none.split(separator: "\n").count == 1 && none.contains("lo:"), "\(none)")
            _ = try await docker.ok(["run", "-d", "--name", "target", "busybox", "sleep", "300"])
            let out = try await docker.ok([
                "run", "--rm", "--link", "target:tgt", "--dns", "9.9.9.9", "--dns-search", "lab.example",
                "--add-host", "db.example:10.1.2.3", "--ip", "172.16.0.99", "--mac-address", "02:42:de:ad:be:ef",
                "busybox", "sh", "-c", "cat /etc/resolv.conf /etc/hosts; ip link show eth0; ip -4 addr show eth0",
            ])
            #expect(out.contains("nameserver 9.9.9.9") && out.contains("search lab.example"), "\(out)")
            #expect(out.contains("10.1.2.3\tdb.example"), "\(out)")
            #expect(out.contains("172.16.0.2\ttgt target"), "\(out)")
            #expect(out.contains("02:42:de:ad:be:ef") && out.contains("inet 172.16.0.99/16"), "\(out)")
            let host = try await docker.run(["run", "--rm", "--net", "host", "busybox", "true"])
            #expect(!host.succeeded && host.standardError.contains("not supported"), "\(host.combined)")
            let unknown = try await docker.run(["run", "--rm", "--net", "nope", "busybox", "true"])
            #expect(!unknown.succeeded && unknown.standardError.contains("network nope not found"), "\(unknown.combined)")
        }
    }

    @Test func dhcpContainerNetworkAndTrust() async throws {
        // VMNW51 has the lab's dnsmasq (10.99.51.100-199): no gateway given, so DHCP.
        let flags = Self.articleFlags + [
            "--container-network", "vmnw51:dhcpnet", "--container-network-firewall", "con-nw:closed",
        ]
        try await withVCH("dhc", flags) { docker in
            let out = try await docker.ok(["run", "--rm", "--net", "dhcpnet", "busybox", "sh", "-c",
                                           "ip -4 addr show eth0; netstat -rn; cat /etc/resolv.conf"])
            #expect(out.contains("inet 10.99.51.1"), "\(out)")
            #expect(out.contains("0.0.0.0         10.99.51.1      0.0.0.0         UG"), "\(out)")
            #expect(out.contains("nameserver 10.99.51.1"), "\(out)")
            _ = try await docker.ok(["run", "-d", "--name", "leased", "--net", "dhcpnet", "busybox", "sleep", "300"])
            let address = try await docker.ok(["inspect", "-f", "{{.NetworkSettings.Networks.dhcpnet.IPAddress}}", "leased"])
            #expect(address.hasPrefix("10.99.51."), "\(address)")
            let ping = try await docker.lab.run(in: "c51", ["/bin/busybox", "ping", "-c", "1", "-W", "2", address])
            #expect(ping.succeeded, "the DHCP-leased container is unreachable: \(ping.combined)")
            let fixed = try await docker.run(["run", "--rm", "--net", "dhcpnet", "--ip", "10.99.51.5", "busybox", "true"])
            #expect(fixed.standardError.contains("when default gateway is not set for network dhcpnet"), "\(fixed.combined)")
            _ = try await docker.ok(["rm", "-f", "leased"])

            // con-nw is closed: nothing in or out, and -p is refused.
            _ = try await docker.ok(["run", "-d", "--name", "shut", "--net", "con-nw", "busybox", "sleep", "300"])
            let shut = try await docker.ok(["inspect", "-f", "{{(index .NetworkSettings.Networks \"con-nw\").IPAddress}}", "shut"])
            let inbound = try await docker.lab.run(in: "ccn", ["/bin/busybox", "ping", "-c", "1", "-W", "1", shut])
            #expect(!inbound.succeeded, "a closed container answered ping")
            let outbound = try await docker.run(["exec", "shut", "ping", "-c", "1", "-W", "1", "192.168.200.250"])
            #expect(!outbound.succeeded, "a closed container got out")
            let published = try await docker.run(["run", "--rm", "--net", "con-nw", "-p", "80", "busybox", "true"])
            #expect(published.standardError.contains("ports cannot be published via container network con-nw"), "\(published.combined)")
        }
    }

    /// The other trust levels on con-nw (vic-reference §2.4), seen from the con-nw client
    /// (192.168.200.250, outside the container range) and from a peer container in the range.
    @Test(arguments: ["outbound", "open", "peers"])
    func trustLevels(_ trust: String) async throws {
        try await withVCH("t\(trust.prefix(3))", Self.articleFlags + ["--container-network-firewall", "con-nw:\(trust)"]) { docker in
            let serve = ["busybox", "sh", "-c", "mkdir /w && echo hi > /w/index.html && exec httpd -f -p 9090 -h /w"]
            _ = try await docker.ok(["run", "-d", "--name", "srv", "--net=con-nw"] + serve)
            let srv = try await docker.ok(["inspect", "-f", "{{(index .NetworkSettings.Networks \"con-nw\").IPAddress}}", "srv"])
            let outbound = try await docker.run(["run", "--rm", "--net=con-nw", "busybox", "ping", "-c", "1", "-W", "2", "192.168.100.1"])
            #expect(outbound.succeeded, "\(trust): no outbound traffic: \(outbound.combined)")
            // Serving (seen from inside) before anything is asked from outside.
            let local = try await docker.run(["exec", "srv", "sh", "-c",
                "for i in 1 2 3 4 5 6 7 8 9 10; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 1 127.0.0.1 9090 | tail -n 1 | grep -q hi && exit 0; sleep 0.3; done; exit 1"])
            #expect(local.succeeded, "the server did not come up: \(local.combined)")
            let fromClient = try await docker.lab.fetch(from: "ccn", "http://\(srv):9090/")
            let fromPeer = try await docker.run(["run", "--rm", "--net=con-nw", "busybox", "sh", "-c",
                                                 "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 \(srv) 9090 | tail -n 1"])
            switch trust {
            case "outbound":
                #expect(fromClient == nil, "outbound let a client in")
                #expect(fromPeer.standardOutput.trimmingWhitespace().isEmpty, "outbound let a peer in")
                let published = try await docker.run(["run", "--rm", "--net=con-nw", "-p", "80", "busybox", "true"])
                #expect(!published.succeeded, "outbound accepted -p: \(published.combined)")
            case "open":
                #expect(fromClient == "hi", "open did not let the client in")
                #expect(fromPeer.standardOutput.trimmingWhitespace() == "hi", "\(fromPeer.combined)")
            default:
                #expect(fromClient == nil, "peers let in a client outside the container range")
                #expect(fromPeer.standardOutput.trimmingWhitespace() == "hi", "peers kept a peer out: \(fromPeer.combined)")
            }
            _ = try await docker.ok(["rm", "-f", "srv"])
        }
    }
}
