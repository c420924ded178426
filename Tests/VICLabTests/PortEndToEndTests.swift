import Foundation
import Testing
import VICCore
import VICSystem

/// Published ports (issue 5) through the docker CLI, in a lab where the public, client and
/// management networks are separate port groups and the lab router does not forward between
/// them: `-p` answers on the public address only, the API on the client address only.
@Suite(.serialized, .tags(.privileged, .endToEnd))
struct PortEndToEndTests {
    /// Serves `text` with busybox httpd on `port` in the container.
    static func httpd(_ text: String, port: Int = 80) -> [String] {
        ["busybox", "sh", "-c", "mkdir -p /www && echo \(text) > /www/index.html && exec httpd -f -p \(port) -h /www"]
    }

    @Test func publishedPortsOnThePublicNetworkOnly() async throws {
        try await Lab.with { lab in
            try await lab.startRegistry()
            _ = try await lab.createVCH("pp", [
                "--public-network", "VM Network", "--client-network", "VMNW51", "--management-network", "Mgmt",
            ])
            let facts = try await ApplianceFacts.read(lab, vch: "pp")
            let publicIP = try #require(facts.addresses["public"]?.first?.address.description)
            let clientIP = try #require(facts.addresses["client"]?.first?.address.description)
            func docker(_ arguments: [String]) async throws -> CommandResult {
                try await lab.docker(from: "c51", vch: "pp", ["-H", "\(clientIP):2376", "--tls"] + arguments)
            }
            let pull = try await docker(["pull", "busybox"])
            try #require(pull.succeeded, "\(pull.combined)")

            // -p H:C: served on the public address, from the public network only.
            let web = try await docker(["run", "-d", "--name", "web", "-p", "8080:80"] + Self.httpd("hello"))
            try #require(web.succeeded, "\(web.combined)")
            #expect(try await lab.eventually(from: "cpub", "http://\(publicIP):8080/") == "hello")
            #expect(try await lab.fetch(from: "c51", "http://\(clientIP):8080/") == nil,
                    "a published port answered on the client network")
            let ps = try await docker(["ps", "--format", "{{.Names}} {{.Ports}}"])
            #expect(ps.standardOutput.contains("web \(publicIP):8080->80/tcp"), "\(ps.combined)")
            let port = try await docker(["port", "web"])
            #expect(port.standardOutput.trimmingWhitespace() == "80/tcp -> \(publicIP):8080", "\(port.combined)")

            // The API answers on the client address only.
            let apiFromPublic = try await lab.run(in: "cpub", ["/bin/busybox", "nc", "-w", "2", publicIP, "2376"])
            #expect(!apiFromPublic.succeeded, "the API answered on the public network")

            // Hairpin: a bridge container reaches the published port on the public address.
            let hairpin = try await docker(["run", "--rm", "busybox", "sh", "-c",
                "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 \(publicIP) 8080 | tail -n 1"])
            #expect(hairpin.standardOutput.trimmingWhitespace() == "hello", "\(hairpin.combined)")

            // A container on another bridge network reaches it only through the published port.
            let other = try await docker(["network", "create", "other"])
            try #require(other.succeeded, "\(other.combined)")
            let webIP = try await docker(["inspect", "-f", "{{.NetworkSettings.IPAddress}}", "web"]).standardOutput.trimmingWhitespace()
            let across = try await docker(["run", "--rm", "--net", "other", "busybox", "sh", "-c",
                "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 \(publicIP) 8080 | tail -n 1; "
                + "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 \(webIP) 80 | tail -n 1; echo end"])
            let lines = across.standardOutput.split(separator: "\n").map { String($0).trimmingWhitespace() }
            #expect(lines.first == "hello", "published port from another network: \(across.combined)")
            #expect(lines.filter { $0 == "hello" }.count == 1, "the container's own address answered across networks: \(across.combined)")
            _ = try await docker(["network", "rm", "other"])

            // A bridge container reaches the public network through NAT, but not the management
            // network, nor the API on the client address.
            let reach = try await docker(["run", "--rm", "busybox", "sh", "-c",
                "ping -c1 -W2 10.99.32.1 >/dev/null && echo public-ok; ping -c1 -W2 10.99.60.1 >/dev/null && echo mgmt-ok; "
                + "nc -w 2 \(clientIP) 2376 </dev/null && echo api-ok; echo done"])
            #expect(reach.standardOutput.contains("public-ok"), "\(reach.combined)")
            #expect(!reach.standardOutput.contains("mgmt-ok"), "a bridge container reached the management network")
            #expect(!reach.standardOutput.contains("api-ok"), "a bridge container reached the Docker API")
            #expect(reach.standardOutput.contains("done"))

            // -p C: an ephemeral host port; a host range takes its first free port.
            let random = try await docker(["run", "-d", "--name", "rnd", "-p", "80"] + Self.httpd("random"))
            try #require(random.succeeded, "\(random.combined)")
            let randomPort = try await docker(["port", "rnd", "80/tcp"])
            let mapped = randomPort.standardOutput.trimmingWhitespace()
            let hostPort = try #require(mapped.split(separator: ":").last.flatMap { Int($0) }, "\(randomPort.combined)")
            #expect((32768...60999).contains(hostPort), "\(mapped)")
            #expect(try await lab.eventually(from: "cpub", "http://\(publicIP):\(hostPort)/") == "random")
            for (name, expected) in [("r1", 9000), ("r2", 9001)] {
                let ranged = try await docker(["run", "-d", "--name", name, "-p", "9000-9002:80"] + Self.httpd(name))
                try #require(ranged.succeeded, "\(ranged.combined)")
                let rangedPort = try await docker(["port", name, "80"])
                #expect(rangedPort.standardOutput.trimmingWhitespace() == "\(publicIP):\(expected)", "\(rangedPort.combined)")
                #expect(try await lab.eventually(from: "cpub", "http://\(publicIP):\(expected)/") == name)
            }

            // -P publishes every exposed port.
            let all = try await docker(["run", "-d", "--name", "all", "--expose", "7000", "-P"] + Self.httpd("all", port: 7000))
            try #require(all.succeeded, "\(all.combined)")
            let allPort = try await docker(["port", "all", "7000"])
            let allHostPort = try #require(allPort.standardOutput.trimmingWhitespace().split(separator: ":").last.flatMap { Int($0) },
                                           "\(allPort.combined)")
            #expect(try await lab.eventually(from: "cpub", "http://\(publicIP):\(allHostPort)/") == "all")

            // udp: a datagram to a published port with no listener comes back as "port
            // unreachable" from the container; an unpublished port is dropped by the appliance.
            let udp = try await docker(["run", "-d", "--name", "udp", "-p", "5353:53/udp", "busybox", "sleep", "600"])
            try #require(udp.succeeded, "\(udp.combined)")
            let probe = """
                import socket, sys
                for port in (5353, 5354):
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
                    s.connect((sys.argv[1], port)); s.send(b"x")
                    try:
                        s.recv(10); print(port, "answer")
                    except ConnectionRefusedError:
                        print(port, "refused")
                    except socket.timeout:
                        print(port, "timeout")
                """
            let udpProbe = try await lab.run(in: "cpub", ["/usr/bin/python3", "-c", probe, publicIP])
            #expect(udpProbe.standardOutput.contains("5353 refused"), "\(udpProbe.combined)")
            #expect(udpProbe.standardOutput.contains("5354 timeout"), "\(udpProbe.combined)")

            // The same host port twice: create succeeds, the second start fails.
            let second = try await docker(["create", "--name", "second", "-p", "8080:80", "busybox", "true"])
            #expect(second.succeeded, "\(second.combined)")
            let start = try await docker(["start", "second"])
            #expect(!start.succeeded)
            #expect(start.standardError.contains("port 8080 is not available"), "\(start.combined)")

            // stop removes the mapping, start brings it back.
            let stop = try await docker(["stop", "-t", "1", "web"])
            #expect(stop.succeeded, "\(stop.combined)")
            #expect(try await lab.fetch(from: "cpub", "http://\(publicIP):8080/") == nil)
            let portStopped = try await docker(["ps", "-a", "--filter", "name=web", "--format", "{{.Ports}}"])
            #expect(portStopped.standardOutput.trimmingWhitespace().isEmpty, "\(portStopped.combined)")
            let restart = try await docker(["start", "web"])
            #expect(restart.succeeded, "\(restart.combined)")
            #expect(try await lab.eventually(from: "cpub", "http://\(publicIP):8080/") == "hello")

            // vchd killed with SIGKILL and started again: the mappings are rebuilt from state, and
            // still follow the container's lifecycle.
            kill(try lab.vchdPID("pp"), SIGKILL)
            let started = try await lab.vicMachine(["start", "--name", "pp"])
            try #require(started.succeeded, "start: \(started.combined)")
            #expect(try await lab.eventually(from: "cpub", "http://\(publicIP):8080/") == "hello")
            let portAfter = try await docker(["port", "web"])
            #expect(portAfter.standardOutput.trimmingWhitespace() == "80/tcp -> \(publicIP):8080", "\(portAfter.combined)")
            let stopAfter = try await docker(["stop", "-t", "1", "web"])
            #expect(stopAfter.succeeded, "\(stopAfter.combined)")
            #expect(try await lab.fetch(from: "cpub", "http://\(publicIP):8080/") == nil)
            let startAfter = try await docker(["start", "web"])
            #expect(startAfter.succeeded, "\(startAfter.combined)")
            #expect(try await lab.eventually(from: "cpub", "http://\(publicIP):8080/") == "hello")

            // A host IP other than the public one is refused at create, with VIC's message.
            let wrongIP = try await docker(["create", "-p", "127.0.0.1:8081:80", "busybox"])
            #expect(!wrongIP.succeeded)
            #expect(wrongIP.standardError.contains(
                "host IP for port bindings is only supported for 0.0.0.0 and the public interface IP address"), "\(wrongIP.combined)")

            let remove = try await docker(["rm", "-f", "web", "rnd", "r1", "r2", "all", "udp", "second"])
            #expect(remove.succeeded, "\(remove.combined)")
            // Unpublishing runs after the exit is recorded: give it a moment, then no element is left.
            var left = true
            var listing = ""
            for _ in 0..<50 where left {
                let rules = try await Command.run("/usr/bin/nsenter", ["--net=/run/netns/vch-pp", "--", "/usr/sbin/nft", "list", "map", "inet", "vic", "published4"])
                listing = rules.combined
                left = !rules.succeeded || rules.standardOutput.contains("elements")
                if left { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(!left, "mappings left after rm: \(listing)")
            let delete = try await lab.vicMachine(["delete", "--name", "pp"])
            #expect(delete.succeeded, "delete: \(delete.combined)")
        }
    }
}
