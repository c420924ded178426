import Logging
import NIOCore
import Testing
import VICCore
@testable import VICDNS

/// The whole server on 127.0.0.1 at an ephemeral port, queried with real sockets over UDP and
/// TCP, forwarding to fake upstreams on 127.0.0.x. Nothing leaves loopback.
@Suite struct DNSServerLiveTests {
    /// The test client is 127.0.0.1: a container on "bridge" as far as the server knows.
    static let directory = NameDirectory(containers: [
        .init(id: Fixture.id("e"), name: "client", endpoints: [.init(network: "bridge", address: Fixture.ip("127.0.0.1"))]),
        .init(id: Fixture.id("a"), name: "web", endpoints: [.init(network: "bridge", address: Fixture.ip("172.16.0.2"))]),
    ] + (2...60).map { index in
        .init(id: Fixture.id("b"), name: "holder\(index)",
              endpoints: [.init(network: "bridge", address: Fixture.ip("172.16.1.\(index)"), aliases: ["many"])])
    })

    /// Starts a server, runs `body` with its port, and closes it even when `body` throws.
    func withServer(upstreams: [DNSUpstream], timeout: Duration = .milliseconds(300),
                    _ body: (UInt16) async throws -> Void) async throws {
        let configuration = DNSServer.Configuration(
            listenAddress: Fixture.ip("127.0.0.1"), port: 0, upstreams: upstreams, upstreamTimeout: timeout)
        let server = DNSServer(configuration: configuration,
                               transport: UDPUpstreamTransport(bindAddress: Fixture.ip("127.0.0.1")),
                               logger: Logger(label: "dns-test"), directory: Self.directory)
        let listeners = try await server.start()
        #expect(listeners.port != 0)
        do {
            try await body(listeners.port)
        } catch {
            await listeners.close()
            throw error
        }
        await listeners.close()
    }

    func query(_ name: String, _ type: DNSRecordType = .a, id: UInt16 = 0xbeef) -> [UInt8] {
        DNSMessage(header: DNSHeader(id: id), questions: [DNSQuestion(name: DNSName(name)!, type: type)]).encoded
    }

    @Test func answersContainerNamesOverUDPAndTCP() async throws {
        try await withServer(upstreams: []) { port in
            for reply in [try await LoopbackDNS.udpQuery(Golden.plainQuery, port: port),
                          try await LoopbackDNS.tcpQuery(Golden.plainQuery, port: port)] {
                // web.vic.test is not a container name seen from 127.0.0.1, and there is no upstream.
                #expect(try DNSMessage(decoding: reply).header.responseCode == .serverFailure)
            }
            let udp = try DNSMessage(decoding: try await LoopbackDNS.udpQuery(query("web"), port: port))
            #expect(udp.header.id == 0xbeef && udp.header.isAuthoritative)
            #expect(udp.answers == [.address(DNSName("web")!, Fixture.ip("172.16.0.2"), ttl: 600)])
            let tcp = try DNSMessage(decoding: try await LoopbackDNS.tcpQuery(query("web.bridge"), port: port))
            #expect(tcp.answers.first?.data == .ipv4(Fixture.ip("172.16.0.2")))
            let aaaa = try DNSMessage(decoding: try await LoopbackDNS.udpQuery(query("web", .aaaa), port: port))
            #expect(aaaa.header.responseCode == .noError && aaaa.answers.isEmpty)
        }
    }

    @Test func truncatesOverUDPAndAnswersInFullOverTCP() async throws {
        try await withServer(upstreams: []) { port in
            let udp = try DNSMessage(decoding: try await LoopbackDNS.udpQuery(query("many"), port: port))
            #expect(udp.header.isTruncated && udp.answers.isEmpty)
            let tcp = try DNSMessage(decoding: try await LoopbackDNS.tcpQuery(query("many"), port: port))
            #expect(!tcp.header.isTruncated && tcp.answers.count == 59)
        }
    }

    @Test func forwardsToAFakeUpstreamAndCaches() async throws {
        try await FakeUpstream.with(answering: Fixture.ip("192.0.2.1")) { upstream in
            try await withServer(upstreams: [upstream.upstream]) { port in
                let first = try DNSMessage(decoding: try await LoopbackDNS.udpQuery(query("example.test", id: 1), port: port))
                #expect(first.header.id == 1)
                #expect(first.answers.first?.data == .ipv4(Fixture.ip("192.0.2.1")))
                #expect(upstream.queryCount == 1)
                let second = try DNSMessage(decoding: try await LoopbackDNS.tcpQuery(query("example.test", id: 2), port: port))
                #expect(second.header.id == 2)
                #expect(second.answers.first?.data == .ipv4(Fixture.ip("192.0.2.1")))
                #expect((second.answers.first?.ttl ?? 0) <= 60)
                #expect(upstream.queryCount == 1)
            }
        }
    }

    @Test func answersSERVFAILWhenTheOnlyUpstreamIsSilent() async throws {
        try await FakeUpstream.with(answering: nil) { silent in
            try await withServer(upstreams: [silent.upstream]) { port in
                let started = ContinuousClock.now
                let reply = try DNSMessage(decoding: try await LoopbackDNS.udpQuery(query("example.test"), port: port))
                #expect(reply.header.responseCode == .serverFailure)
                #expect(silent.queryCount == 1)
                #expect(ContinuousClock.now - started >= .milliseconds(300))
            }
        }
    }

    /// An upstream whose UDP answer is truncated: a TCP client gets the whole answer, fetched
    /// over TCP; a UDP client gets the truncated one (it then asks over TCP), which is not cached.
    @Test func fetchesATruncatedAnswerOverTCPForATCPClient() async throws {
        let truncating = try await TruncatingUpstream(host: "127.0.0.4", answering: Fixture.ip("192.0.2.4"))
        do {
            try await withServer(upstreams: [truncating.upstream]) { port in
                let udp = try DNSMessage(decoding: try await LoopbackDNS.udpQuery(query("big.test", id: 7), port: port))
                #expect(udp.header.id == 7 && udp.header.isTruncated && udp.answers.isEmpty)
                #expect(truncating.tcpQueryCount == 0)
                let tcp = try DNSMessage(decoding: try await LoopbackDNS.tcpQuery(query("big.test", id: 8), port: port))
                #expect(tcp.header.id == 8 && !tcp.header.isTruncated)
                #expect(tcp.answers.first?.data == .ipv4(Fixture.ip("192.0.2.4")))
                #expect(truncating.tcpQueryCount == 1)
            }
        } catch {
            await truncating.close()
            throw error
        }
        await truncating.close()
    }

    @Test func movesOnFromASilentUpstream() async throws {
        try await FakeUpstream.with(host: "127.0.0.2", answering: nil) { silent in
            try await FakeUpstream.with(host: "127.0.0.3", answering: Fixture.ip("192.0.2.3")) { answering in
                try await withServer(upstreams: [silent.upstream, answering.upstream]) { port in
                    for index in 0..<2 {
                        let reply = try DNSMessage(decoding: try await LoopbackDNS.udpQuery(query("n\(index).test"), port: port))
                        #expect(reply.answers.first?.data == .ipv4(Fixture.ip("192.0.2.3")))
                    }
                    #expect(answering.queryCount == 2)
                    #expect(silent.queryCount >= 1)
                }
            }
        }
    }
}

@Suite struct PacketInfoSocketTests {
    /// Bound to the wildcard, a query sent to 127.0.0.2 is answered from 127.0.0.2, though the
    /// kernel would pick 127.0.0.1 for a reply to 127.0.0.1. Only loopback senders are read.
    @Test func repliesFromTheAddressTheQueryWasSentTo() async throws {
        let socket = try PacketInfoSocket(address: IPv4Address(0), port: 0)
        defer { socket.close() }
        let port = socket.localPort
        async let reply = LoopbackDNS.udpQuery(Golden.plainQuery, to: "127.0.0.2", port: port)
        var received: ReceivedDatagram?
        while received == nil {
            let datagram = try await NIOThreadPoolSupport.run { try socket.receive() }
            if let datagram, datagram.sender == Fixture.ip("127.0.0.1") { received = datagram }
        }
        let datagram = try #require(received)
        #expect(datagram.localAddress == Fixture.ip("127.0.0.2"))
        #expect(datagram.bytes == Golden.plainQuery)
        try socket.send(Golden.plainAnswer, to: datagram.sender, port: datagram.senderPort, from: datagram.localAddress)
        // The client accepts only a reply from 127.0.0.2:port.
        #expect(try await reply == Golden.plainAnswer)
    }

    @Test func readsTheLocalAddressFromAControlMessage() {
        let control = PacketInfoSocket.packetInfoMessage(source: Fixture.ip("172.16.0.1"))
        #expect(control.count == PacketInfoSocket.controlHeaderSize + 16)
        #expect(PacketInfoSocket.packetDestination(control) == Fixture.ip("172.16.0.1"))
        #expect(PacketInfoSocket.packetDestination([]) == nil)
        #expect(PacketInfoSocket.packetDestination(Array(control.prefix(8))) == nil)
    }
}
