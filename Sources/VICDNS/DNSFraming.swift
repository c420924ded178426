import NIOCore

/// DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766): each message is preceded by its length as
/// a 2-byte big-endian integer. Used by the TCP listener, the TCP forwarder and the tests.
enum DNSFraming {
    /// `message` with its length in front; nil when it is too long to frame.
    static func framed(_ message: [UInt8]) -> ByteBuffer? {
        guard let length = UInt16(exactly: message.count) else { return nil }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(message.count + 2)
        buffer.writeInteger(length)
        buffer.writeBytes(message)
        return buffer
    }

    /// Splits a stream into messages by their 2-byte length.
    struct LengthPrefixDecoder: ByteToMessageDecoder {
        typealias InboundOut = ByteBuffer

        mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
            guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
                  buffer.readableBytes >= 2 + Int(length)
            else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: 2)
            guard let message = buffer.readSlice(length: Int(length)) else { return .needMoreData }
            context.fireChannelRead(wrapInboundOut(message))
            return .continue
        }
    }
}
