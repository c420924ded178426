#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import VICCore

/// One datagram as the listener saw it: who sent it and which local address it was sent to.
public struct ReceivedDatagram: Sendable {
    /// The payload.
    public var bytes: [UInt8]
    /// The sender's address.
    public var sender: IPv4Address
    /// The sender's port.
    public var senderPort: UInt16
    /// The address the query was sent to (IP_PKTINFO): the reply must come from it.
    public var localAddress: IPv4Address
}

/// The platform seam of the UDP listener: a bound socket that reports each datagram's
/// destination and sends replies from a chosen local address.
public protocol DNSDatagramSocket: Sendable {
    /// The port it is bound to.
    var localPort: UInt16 { get }
    /// Blocks for at most a short poll interval; nil when nothing arrived.
    func receive() throws -> ReceivedDatagram?
    /// Sends `bytes` to `port` at `address` with `source` as the source address.
    func send(_ bytes: [UInt8], to address: IPv4Address, port: UInt16, from source: IPv4Address) throws
    /// Wakes a `receive` blocked in another thread at once (it returns nil), so that stopping
    /// does not wait for the poll interval. Later receives return nil at once.
    func interrupt()
    /// Closes the socket; later calls fail.
    func close()
}

extension DNSDatagramSocket {
    /// Sockets that cannot be woken wait for their poll interval.
    public func interrupt() {}
}

/// A Linux UDP socket with IP_PKTINFO. Bound to the wildcard address it serves every local
/// address, bridge gateways added later included, and each reply leaves from the address its
/// query was sent to: a container that asks 172.16.0.1 is answered by 172.16.0.1, even when
/// the kernel's route to it would pick another address of the bridge NIC (a stub resolver drops
/// a reply from an address it did not ask).
public final class PacketInfoSocket: DNSDatagramSocket {
    let descriptor: Int32
    /// The bound port.
    public let localPort: UInt16

    /// Binds `address`:`port` (0 = an ephemeral port) with SO_REUSEADDR, IP_PKTINFO and a
    /// 250 ms receive timeout. Privilege: CAP_NET_BIND_SERVICE for ports below 1024.
    public init(address: IPv4Address, port: UInt16) throws {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)
        #endif
        guard descriptor >= 0 else { throw Self.failure("create a UDP socket") }
        do {
            try Self.setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR")
            try Self.setOption(descriptor, Int32(IPPROTO_IP), IP_PKTINFO, 1, "IP_PKTINFO")
            var timeout = timeval(tv_sec: 0, tv_usec: 250_000)
            guard setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) == 0
            else { throw Self.failure("set SO_RCVTIMEO") }
            var local = Self.socketAddress(address, port: port)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else { throw Self.failure("bind UDP \(address):\(port)") }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            guard named == 0 else { throw Self.failure("read the bound UDP port") }
            self.localPort = UInt16(bigEndian: local.sin_port)
        } catch {
            _ = Glibc.close(descriptor)
            throw error
        }
        self.descriptor = descriptor
    }

    /// Waits at most 250 ms; nil on timeout, on EINTR, or for a datagram without IP_PKTINFO.
    /// The 64 KiB receive buffer is scratch space, neither zeroed nor kept: only the bytes
    /// received are copied out.
    public func receive() throws -> ReceivedDatagram? {
        try withUnsafeTemporaryAllocation(byteCount: 65_536 + Self.controlCapacity, alignment: 16) { scratch in
            let data = UnsafeMutableRawBufferPointer(rebasing: scratch[..<65_536])
            let control = UnsafeMutableRawBufferPointer(rebasing: scratch[65_536...])
            var peer = sockaddr_in()
            let (count, controlLength) = Self.withMessage(data, control, &peer) { header in
                let count = recvmsg(descriptor, &header, 0)
                return (count, Int(header.msg_controllen))
            }
            guard count >= 0 else {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return nil }
                throw Self.failure("receive a DNS query")
            }
            guard peer.sin_family == sa_family_t(AF_INET),
                  let destination = Self.packetDestination(
                      UnsafeRawBufferPointer(rebasing: control[..<min(controlLength, control.count)]))
            else { return nil }
            return ReceivedDatagram(
                bytes: Array(data[..<count]), sender: IPv4Address(UInt32(bigEndian: peer.sin_addr.s_addr)),
                senderPort: UInt16(bigEndian: peer.sin_port), localAddress: destination)
        }
    }

    /// Sends with an IP_PKTINFO control message; never blocks (MSG_DONTWAIT).
    public func send(_ bytes: [UInt8], to address: IPv4Address, port: UInt16, from source: IPv4Address) throws {
        var peer = Self.socketAddress(address, port: port)
        var control = Self.packetInfoMessage(source: source)
        // DNS over UDP is lossy anyway: never block the caller on a full buffer.
        let sent = bytes.withUnsafeBytes { payload in
            control.withUnsafeMutableBytes { control in
                // sendmsg only reads the iovec's bytes.
                Self.withMessage(UnsafeMutableRawBufferPointer(mutating: payload), control, &peer) {
                    sendmsg(descriptor, &$0, Int32(MSG_DONTWAIT))
                }
            }
        }
        guard sent >= 0 else { throw Self.failure("send a DNS reply to \(address):\(port) from \(source)") }
    }

    /// `shutdown(SHUT_RD)`: a blocked `recvmsg` returns at once.
    public func interrupt() { _ = shutdown(descriptor, Int32(SHUT_RD)) }

    /// Closes the descriptor.
    public func close() { _ = Glibc.close(descriptor) }
}

extension PacketInfoSocket {
    /// Room for the control messages of a received datagram.
    static let controlCapacity = 128

    /// Calls `body` with a message header over `data` (one iovec), `control` and `peer`.
    static func withMessage<Result>(
        _ data: UnsafeMutableRawBufferPointer, _ control: UnsafeMutableRawBufferPointer, _ peer: inout sockaddr_in,
        _ body: (inout msghdr) -> Result
    ) -> Result {
        withUnsafeMutablePointer(to: &peer) { peerPointer in
            var vector = iovec(iov_base: data.baseAddress, iov_len: data.count)
            return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                var header = msghdr()
                header.msg_name = UnsafeMutableRawPointer(peerPointer)
                header.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
                header.msg_iov = vectorPointer
                header.msg_iovlen = 1
                header.msg_control = control.baseAddress
                header.msg_controllen = control.count
                return body(&header)
            }
        }
    }

    /// The aligned size of a control-message header (CMSG_ALIGN(sizeof(struct cmsghdr))).
    static var controlHeaderSize: Int { align(MemoryLayout<cmsghdr>.size) }

    static func align(_ length: Int) -> Int {
        let word = MemoryLayout<Int>.size
        return (length + word - 1) & ~(word - 1)
    }

    /// The local address (`ipi_spec_dst`) of the IP_PKTINFO message in `control`, if any:
    /// for a unicast query, the address it was sent to; for a broadcast, the interface's.
    /// `struct in_pktinfo` is `{ int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }`.
    static func packetDestination(_ control: [UInt8]) -> IPv4Address? {
        control.withUnsafeBytes { packetDestination($0) }
    }

    /// As `packetDestination(_:)`, over the control buffer of `recvmsg`.
    static func packetDestination(_ control: UnsafeRawBufferPointer) -> IPv4Address? {
        var offset = 0
        while control.count - offset >= MemoryLayout<cmsghdr>.size {
            let header = control.loadUnaligned(fromByteOffset: offset, as: cmsghdr.self)
            let length = Int(header.cmsg_len)
            guard length >= MemoryLayout<cmsghdr>.size, length <= control.count - offset else { return nil }
            if header.cmsg_level == Int32(IPPROTO_IP), header.cmsg_type == IP_PKTINFO,
               length - controlHeaderSize >= 12 {
                let at = offset + controlHeaderSize + 4
                return IPv4Address(UInt32(control[at]) << 24 | UInt32(control[at + 1]) << 16
                                   | UInt32(control[at + 2]) << 8 | UInt32(control[at + 3]))
            }
            offset += align(length)
        }
        return nil
    }

    /// An IP_PKTINFO control message asking for `source` as the source address (in
    /// `ipi_spec_dst`, interface 0: the route decides the interface).
    static func packetInfoMessage(source: IPv4Address) -> [UInt8] {
        var control = [UInt8](repeating: 0, count: controlHeaderSize + align(12))
        var header = cmsghdr()
        header.cmsg_len = .init(controlHeaderSize + 12)
        header.cmsg_level = Int32(IPPROTO_IP)
        header.cmsg_type = IP_PKTINFO
        control.withUnsafeMutableBytes { $0.storeBytes(of: header, toByteOffset: 0, as: cmsghdr.self) }
        control.replaceSubrange(controlHeaderSize + 4..<controlHeaderSize + 8, with: source.octets)
        return control
    }

    static func socketAddress(_ address: IPv4Address, port: UInt16) -> sockaddr_in {
        var result = sockaddr_in()
        result.sin_family = sa_family_t(AF_INET)
        result.sin_port = port.bigEndian
        result.sin_addr = in_addr(s_addr: address.value.bigEndian)
        return result
    }

    static func setOption(_ descriptor: Int32, _ level: Int32, _ name: Int32, _ value: Int32, _ label: String) throws {
        var value = value
        guard setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw failure("set \(label)")
        }
    }

    static func failure(_ context: String) -> VICError {
        let code = errno
        return VICError(.unavailable, context, underlying: VICError.Described(String(cString: strerror(code))))
    }
}
