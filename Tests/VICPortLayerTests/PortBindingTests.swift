import Testing
import VICCore
@testable import VICPortLayer

@Suite struct PortBindingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var key: String
        var hostIP: String?
        var hostPort: String?
        var expected: PortBinding?
        var error: String?
        var testDescription: String { "\(key) \(hostIP ?? "-") \(hostPort ?? "-")" }
    }

    static let cases: [Case] = [
        Case(key: "80/tcp", hostIP: "", hostPort: "8080",
             expected: PortBinding(containerPort: 80, transport: .tcp, hostPorts: 8080...8080)),
        Case(key: "80", hostIP: nil, hostPort: nil, expected: PortBinding(containerPort: 80)),
        Case(key: "53/udp", hostIP: "0.0.0.0", hostPort: "5353",
             expected: PortBinding(containerPort: 53, transport: .udp, hostPorts: 5353...5353)),
        Case(key: "80/tcp", hostIP: "10.99.32.10", hostPort: "",
             expected: PortBinding(containerPort: 80, hostIP: IPv4Address("10.99.32.10"))),
        Case(key: "80/tcp", hostIP: "", hostPort: "8000-8010",
             expected: PortBinding(containerPort: 80, hostPorts: 8000...8010)),
        Case(key: "80/tcp", hostIP: "", hostPort: "0", expected: PortBinding(containerPort: 80)),
        Case(key: "80/SCTP", hostIP: nil, hostPort: "9", expected: PortBinding(containerPort: 80, transport: .sctp, hostPorts: 9...9)),
        Case(key: "80/icmp", error: "invalid proto: icmp"),
        Case(key: "0/tcp", error: "invalid containerPort: 0"),
        Case(key: "http/tcp", error: "invalid containerPort: http"),
        Case(key: "70000/tcp", error: "invalid containerPort: 70000"),
        Case(key: "80/tcp", hostPort: "8010-8000", error: "invalid hostPort: 8010-8000: the range ends before it starts"),
        Case(key: "80/tcp", hostPort: "x", error: "invalid hostPort: x"),
        Case(key: "80/tcp", hostPort: "99999", error: "invalid hostPort: 99999"),
        Case(key: "80/tcp", hostIP: "localhost", error: "invalid host IP for port bindings: localhost"),
    ]

    @Test(arguments: cases) func parses(_ example: Case) throws {
        if let expected = example.expected {
            #expect(try PortBinding.parse(port: example.key, hostIP: example.hostIP, hostPort: example.hostPort) == expected)
        } else {
            let error = #expect(throws: VICError.self) {
                try PortBinding.parse(port: example.key, hostIP: example.hostIP, hostPort: example.hostPort)
            }
            #expect(error?.message == example.error)
            #expect(error?.code == .invalidArgument)
        }
    }
}

@Suite struct PortAllocatorTests {
    static let publicIP = IPv4Address("10.99.32.10")!
    let allocator = PortAllocator(publicAddress: publicIP, ephemeral: 40000...40003,
                                  reserved: [.init(.tcp, 2376)])

    @Test func fixedPortsAndSharedNumbersAcrossTransports() throws {
        let published = try allocator.allocate([
            PortBinding(containerPort: 80, hostPorts: 8080...8080),
            PortBinding(containerPort: 80, transport: .udp, hostPorts: 8080...8080),
        ], taken: [])
        #expect(published == [
            PublishedPort(hostIP: Self.publicIP, hostPort: 8080, containerPort: 80, transport: .tcp),
            PublishedPort(hostIP: Self.publicIP, hostPort: 8080, containerPort: 80, transport: .udp),
        ])
    }

    @Test func aTakenPortIsNotAvailable() {
        let error = #expect(throws: VICError.self) {
            try allocator.allocate([PortBinding(containerPort: 80, hostPorts: 8080...8080)], taken: [.init(.tcp, 8080)])
        }
        #expect(error?.message == "error mapping ports: port 8080 is not available")
        #expect(error?.code == .conflict)
    }

    @Test func theAPIPortIsReserved() throws {
        let error = #expect(throws: VICError.self) {
            try allocator.allocate([PortBinding(containerPort: 80, hostPorts: 2376...2376)], taken: [])
        }
        #expect(error?.message == "error mapping ports: port 2376 is not available")
        #expect(try allocator.allocate([PortBinding(containerPort: 80, transport: .udp, hostPorts: 2376...2376)], taken: []).count == 1)
    }

    @Test func aRangeTakesItsFirstFreePort() throws {
        let published = try allocator.allocate([PortBinding(containerPort: 80, hostPorts: 8000...8002)],
                                               taken: [.init(.tcp, 8000), .init(.tcp, 8001)])
        #expect(published.map(\.hostPort) == [8002])
        let error = #expect(throws: VICError.self) {
            try allocator.allocate([PortBinding(containerPort: 80, hostPorts: 8000...8001)],
                                   taken: [.init(.tcp, 8000), .init(.tcp, 8001)])
        }
        #expect(error?.message == "error mapping ports: port 8000-8001 is not available")
    }

    @Test func ephemeralPortsRotateAndRunOut() throws {
        let two = try allocator.allocate([PortBinding(containerPort: 80), PortBinding(containerPort: 81)],
                                         taken: [.init(.tcp, 40001)], hint: 1)
        #expect(two.map(\.hostPort) == [40002, 40003])
        let error = #expect(throws: VICError.self) {
            try allocator.allocate([PortBinding(containerPort: 80)],
                                   taken: Set((40000...40003).map { .init(.tcp, $0) }))
        }
        #expect(error?.code == .unavailable)
    }

    @Test func onlyThePublicAddressOrAnyMayBeNamed() throws {
        #expect(throws: Never.self) { try allocator.validate([PortBinding(containerPort: 80, hostIP: Self.publicIP)]) }
        let error = #expect(throws: VICError.self) {
            try allocator.validate([PortBinding(containerPort: 80, hostIP: IPv4Address("127.0.0.1"))])
        }
        #expect(error?.message == "host IP for port bindings is only supported for 0.0.0.0 and the public interface IP address")
    }

    @Test func publishAllAddsEveryExposedPortWithoutABinding() throws {
        let bindings = try PortAllocator.publishingAll(
            ["80/tcp", "53/udp", "443/tcp"], besides: [PortBinding(containerPort: 443, hostPorts: 8443...8443)])
        #expect(bindings == [
            PortBinding(containerPort: 443, hostPorts: 8443...8443),
            PortBinding(containerPort: 53, transport: .udp),
            PortBinding(containerPort: 80),
        ])
    }
}
