import Foundation
import Testing
import VICCore
import VICSystem

/// IPv6 on user bridge networks through the docker CLI: `docker network create --ipv6`, members
/// with an IPv6 address next to their IPv4 one, reachable over IPv6 by name on their own
/// network only, `--ip6`, `network connect --ip6`, and all of it across a vchd restart.
@Suite(.serialized, .tags(.privileged, .endToEnd))
struct IPv6EndToEndTests {
    @Test func dualStackUserNetworks() async throws {
        try await NetworkEndToEndTests().withVCH("six", []) { docker in
            // --ipv6 alone: a unique local /64 with gateway ::1, next to the next IPv4 block.
            _ = try await docker.ok(["network", "create", "--ipv6", "auto6"])
            let auto = try await docker.ok(["network", "inspect", "auto6", "--format", "{{.EnableIPv6}} {{json .IPAM.Config}}"])
            #expect(auto.hasPrefix(#"true [{"Subnet":"172.17.0.0/16","Gateway":"172.17.0.1"},{"Subnet":"fd"#), "\(auto)")
            #expect(auto.contains(#"::/64","Gateway":"fd"#) && auto.hasSuffix(#"::1"}]"#), "\(auto)")
            _ = try await docker.ok(["network", "create", "--ipv6", "--subnet", "fd00:6::/64", "--gateway", "fd00:6::fe",
                                     "--subnet", "10.66.0.0/24", "six"])
            let six = try await docker.ok(["network", "inspect", "six", "--format", "{{.EnableIPv6}} {{json .IPAM.Config}}"])
            #expect(six == #"true [{"Subnet":"10.66.0.0/24","Gateway":"10.66.0.1"},{"Subnet":"fd00:6::/64","Gateway":"fd00:6::fe"}]"#,
                    "\(six)")
            let plain = try await docker.ok(["network", "ls", "--filter", "name=bridge", "--format", "{{.Name}} {{.IPv6}}"])
            #expect(plain == "bridge false", "\(plain)")

            // Members: the lowest free IPv6 address after the gateway's, or --ip6; /etc/hosts and inspect say so.
            _ = try await docker.ok(["run", "-d", "--name", "web", "--net", "six", "busybox", "httpd", "-f", "-p", "[::]:8080", "-h", "/etc"])
            _ = try await docker.ok(["run", "-d", "--name", "fixed", "--net", "six", "--ip6", "fd00:6::66", "busybox", "sleep", "600"])
            let web = try await docker.ok(["inspect", "web", "--format", "{{with .NetworkSettings.Networks.six}}{{.GlobalIPv6Address}}/{{.GlobalIPv6PrefixLen}} {{.IPv6Gateway}} {{.IPAddress}}{{end}}"])
            #expect(web == "fd00:6::1/64 fd00:6::fe 10.66.0.2", "\(web)")
            let fixed = try await docker.ok(["inspect", "fixed", "--format", "{{.NetworkSettings.Networks.six.GlobalIPv6Address}}"])
            #expect(fixed == "fd00:6::66")
            let hosts = try await docker.ok(["exec", "fixed", "sh", "-c", "ip -6 addr show eth0 scope global; tail -2 /etc/hosts"])
            #expect(hosts.contains("inet6 fd00:6::66/64 scope global") && hosts.contains("fd00:6::66\t"), "\(hosts)")
            let members = try await docker.ok(["network", "inspect", "six", "--format",
                                               "{{range .Containers}}{{.Name}}={{.IPv6Address}} {{end}}"])
            #expect(Set(members.split(separator: " ")) == ["web=fd00:6::1/64", "fixed=fd00:6::66/64"], "\(members)")

            // Over IPv6 by name (AAAA from the VCH's DNS), TCP and ICMP, and the gateway answers.
            try await expectIPv6Reach(docker)

            // Router advertisements a container could send are taken by no one: not by its
            // peers' NICs, not by the appliance.
            let peerRA = try await docker.ok(["exec", "fixed", "sh", "-c",
                                              "cat /proc/sys/net/ipv6/conf/eth0/accept_ra /proc/sys/net/ipv6/conf/default/accept_ra"])
            #expect(peerRA == "0\n0", "\(peerRA)")
            let applianceRA = try await Command.run("/usr/bin/nsenter", ["--net=/run/netns/vch-six", "sh", "-c",
                                                    "cat /proc/sys/net/ipv6/conf/bridge.2/accept_ra /proc/sys/net/ipv6/conf/bridge.3/accept_ra"])
            #expect(applianceRA.standardOutput == "0\n0\n", "\(applianceRA.standardOutput)\(applianceRA.standardError)")

            // Refused: an --ip6 outside the subnet or taken, on a network without IPv6, a bad one.
            let outside = try await docker.run(["run", "--rm", "--net", "six", "--ip6", "fd00:7::5", "busybox", "true"])
            #expect(outside.standardError.contains("address fd00:7::5 is not in network six (fd00:6::/64)"), "\(outside.combined)")
            let taken = try await docker.run(["run", "--rm", "--net", "six", "--ip6", "fd00:6::66", "busybox", "true"])
            #expect(taken.standardError.contains("Address fd00:6::66 already in use in network six"), "\(taken.combined)")
            let noV6 = try await docker.run(["run", "--rm", "--ip6", "fd00:6::5", "busybox", "true"])
            #expect(noV6.standardError.contains("network bridge has no IPv6 (docker network create --ipv6)"), "\(noV6.combined)")
            let notEnabled = try await docker.run(["network", "create", "--subnet", "fd00:8::/64", "nov6"])
            #expect(notEnabled.standardError.contains("IPv6 is not enabled on network nov6: add --ipv6"), "\(notEnabled.combined)")
            let overlap = try await docker.run(["network", "create", "--ipv6", "--subnet", "fd00:6::/48", "over"])
            #expect(overlap.standardError.contains("overlaps with scope six subnet fd00:6::/64"), "\(overlap.combined)")
            let linkLocal = try await docker.run(["network", "create", "--ipv6", "--subnet", "fe80::/64", "ll"])
            #expect(linkLocal.standardError.contains("overlaps fe80::/10"), "\(linkLocal.combined)")

            // Isolation: IPv6 stays on its network. A member of another IPv6 network has no
            // route there, and even with one the appliance does not forward IPv6.
            let autoGateway = try await docker.ok(["network", "inspect", "auto6", "--format", "{{(index .IPAM.Config 1).Gateway}}"])
            let cross = try await docker.run(["run", "--rm", "--net", "auto6", "--cap-add", "NET_ADMIN", "busybox", "sh", "-c",
                                              "ping6 -c 1 -W 1 fd00:6::1; ip -6 route add fd00:6::/64 via \(autoGateway) && ping6 -c 2 -W 1 fd00:6::1"])
            #expect(!cross.succeeded && cross.standardOutput.contains("100% packet loss"), "auto6 reached six: \(cross.combined)")
            #expect(cross.standardError.contains("Network is unreachable"), "\(cross.combined)")

            // connect --ip6 adds an IPv6 NIC live; disconnect gives the address back.
            _ = try await docker.ok(["run", "-d", "--name", "late", "busybox", "sleep", "600"])
            _ = try await docker.ok(["network", "connect", "--ip6", "fd00:6::77", "six", "late"])
            let late = try await docker.ok(["exec", "late", "ip", "-6", "addr", "show", "eth1", "scope", "global"])
            #expect(late.contains("inet6 fd00:6::77/64"), "\(late)")
            _ = try await docker.ok(["network", "disconnect", "six", "late"])
            _ = try await docker.ok(["network", "connect", "--ip6", "fd00:6::77", "six", "late"])

            // vchd restarts: networks, reservations and the appliance's IPv6 gateway come back.
            let lab = docker.lab
            let old = try lab.vchdPID("six")
            #expect(kill(old, SIGKILL) == 0)
            #expect(await eventually(.seconds(15)) { processIsGone(old) })
            _ = try lab.startVCHD("six")
            #expect(await eventually(.seconds(30)) { (try? await docker.run(["version"]))?.succeeded == true })
            _ = try await docker.ok(["run", "-d", "--name", "after", "--net", "six", "busybox", "sleep", "600"])
            let after = try await docker.ok(["inspect", "after", "--format", "{{.NetworkSettings.Networks.six.GlobalIPv6Address}}"])
            #expect(after == "fd00:6::2", "a new member took \(after)")
            let gateway = try await docker.run(["exec", "after", "ping6", "-c", "1", "-W", "2", "fd00:6::fe"])
            #expect(gateway.succeeded, "\(gateway.combined)")
            try await expectIPv6Reach(docker)

            _ = try await docker.ok(["rm", "-f", "web", "fixed", "late", "after"])
            _ = try await docker.ok(["network", "rm", "six", "auto6"])
        }
    }

    /// A peer on `six` reaches `web` over IPv6 by name: the AAAA answer, ICMPv6, and TCP to its
    /// httpd bound to [::]; and pings the gateway.
    func expectIPv6Reach(_ docker: NetworkEndToEndTests.Client) async throws {
        let peer = try await docker.ok(["run", "--rm", "--net", "six", "busybox", "sh", "-c", """
            nslookup -type=aaaa web | grep -c 'Address: fd00:6::1$'; ping6 -c 1 -W 2 web | head -1
            printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' | nc -w 2 fd00:6::1 8080 | tail -1
            ping6 -c 1 -W 2 fd00:6::fe >/dev/null && echo gateway
            """])
        let webID = try await docker.ok(["inspect", "web", "--format", "{{.Config.Hostname}}"])
        #expect(peer.split(separator: "\n").map(String.init) == [
            "1", "PING web (fd00:6::1): 56 data bytes", webID, "gateway",
        ], "\(peer)")
    }
}
