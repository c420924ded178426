import VICCore

/// One upstream DNS server of the VCH: an IPv4 address and port (53 but in tests).
public struct DNSUpstream: Sendable, Hashable, CustomStringConvertible {
    /// The IPv4 address.
    public var address: IPv4Address
    /// The port, 53 outside tests.
    public var port: UInt16

    /// An upstream; the port defaults to 53.
    public init(address: IPv4Address, port: UInt16 = 53) {
        self.address = address
        self.port = port
    }

    /// "address:port", for logs.
    public var description: String { "\(address):\(port)" }
}

/// The seam between forwarding logic and the network: sends one query to one upstream and
/// returns the first reply that `UpstreamReplyFilter` accepts, or throws when `timeout` passes.
/// The real one is `UDPUpstreamTransport`; tests use fakes and a fake upstream on loopback.
public protocol DNSUpstreamTransport: Sendable {
    /// Sends `query` (already carrying its fresh random ID) to `upstream`.
    /// Throws `VICError(.unavailable)` on timeout or a send failure.
    func exchange(_ query: [UInt8], with upstream: DNSUpstream, timeout: Duration) async throws -> [UInt8]

    /// The same exchange over TCP (two-byte length framing, RFC 7766), for an answer that came
    /// back truncated over UDP. Throws `VICError(.unavailable)` when it fails.
    func exchangeOverTCP(_ query: [UInt8], with upstream: DNSUpstream, timeout: Duration) async throws -> [UInt8]
}

extension DNSUpstreamTransport {
    /// Transports without TCP (test fakes): the truncated UDP answer stands.
    public func exchangeOverTCP(_ query: [UInt8], with upstream: DNSUpstream, timeout: Duration) async throws -> [UInt8] {
        throw VICError(.unavailable, "no TCP to DNS upstream \(upstream)")
    }
}

/// Which datagrams count as the reply to a forwarded query: from the very address and port
/// asked, a response, with the ID sent, and echoing the question (name case-insensitive, type
/// and class). Anything else is an off-path guess or a stale reply and is dropped.
public struct UpstreamReplyFilter: Sendable {
    /// The server asked.
    public let upstream: DNSUpstream
    /// The ID sent.
    public let id: UInt16
    /// The question sent, if the query could be decoded.
    public let question: DNSQuestion?

    /// The filter for `query`, sent to `upstream`; nil if `query` has no readable header.
    public init?(query: [UInt8], upstream: DNSUpstream) {
        guard let id = DNSMessage.headerID(of: query) else { return nil }
        self.upstream = upstream
        self.id = id
        self.question = (try? DNSMessage(decoding: query))?.questions.first
    }

    /// Whether `reply`, received from `sender`, answers the query.
    public func accepts(_ reply: [UInt8], from sender: DNSUpstream) -> Bool {
        guard sender == upstream, DNSMessage.headerID(of: reply) == id,
              let message = try? DNSMessage(decoding: reply), message.header.isResponse
        else { return false }
        guard let question else { return true }
        return message.questions.count == 1 && message.questions.first == question
    }
}
