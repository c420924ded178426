import Logging
import NIOCore
import NIOSSL

/// One half of the byte relay of a hijacked connection: one sits in the client's pipeline (above
/// TLS, if any), its partner in the pipeline of the socket channel, both on one event loop.
///
/// Bytes read on one side are written on the other, flushed at the end of each read burst.
/// A side reads only while its partner's channel is writable (backpressure both ways). Closure:
/// - client half-closes (stdin EOF): the socket's output is shut down once the bytes before it
///   are written (`SHUT_WR`); output keeps flowing to the client.
/// - socket reaches end of file or closes: what it sent is written, then the client is closed.
/// - client closes (or fails): the socket is closed once the bytes before it are written.
/// - server shutdown (`ChannelShouldQuiesceEvent`) closes the client, and so the socket.
///
/// The client half starts *held*: it queues what it reads until `open(with:inputClosedEarlier:)`
/// hands it the bytes the HTTP decoder had buffered, so the socket gets everything in order.
final class HijackRelayHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Side: String {
        case client
        case socket
    }

    private let side: Side
    private let logger: Logger
    private var partner: HijackRelayHandler?
    private var context: ChannelHandlerContext?
    /// A `read()` waiting for the partner to become writable (or for `open`).
    private var pendingRead = false
    /// Inbound bytes held until `open`; `nil` once open.
    private var held: [ByteBuffer]?
    private var heldInputClosed = false
    /// The future of the last write, so a close can wait for what was written before it.
    private var lastWrite: EventLoopFuture<Void>?
    /// This side's channel went inactive.
    private var isInactive = false

    private init(side: Side, logger: Logger) {
        self.side = side
        self.logger = logger
        self.held = side == .client ? [] : nil
    }

    /// A client half (held until `open`) and a socket half, partnered.
    static func makePair(logger: Logger) -> (client: HijackRelayHandler, socket: HijackRelayHandler) {
        let client = HijackRelayHandler(side: .client, logger: logger)
        let socket = HijackRelayHandler(side: .socket, logger: logger)
        client.partner = socket
        socket.partner = client
        return (client, socket)
    }

    /// Starts relaying from the client: first `early` (bytes the HTTP decoder had buffered past
    /// the request), then what was held, then the client's half-close if it came already.
    func open(with early: [ByteBuffer], inputClosedEarlier: Bool) {
        guard let queued = held else { return }
        held = nil
        for buffer in early + queued {
            partner?.partnerWrite(buffer)
        }
        partner?.partnerFlush()
        if heldInputClosed || inputClosedEarlier {
            inputClosed()
        }
        if pendingRead, let context, partner?.partnerWritable == true {
            pendingRead = false
            context.read()
        }
    }

    /// Makes a later close wait for `write` too (the response head, written before this half).
    func follow(_ write: EventLoopFuture<Void>) {
        lastWrite = write
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        guard let partner else { return }
        if partner.isInactive {
            closeAfterWrites()
        } else {
            // The partner may have been asked to read before this half existed.
            partner.partnerBecameWritable()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if held != nil {
            held?.append(buffer)
        } else {
            partner?.partnerWrite(buffer)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if held == nil { partner?.partnerFlush() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isInactive = true
        logger.debug("hijacked connection: \(side.rawValue) side closed")
        partner?.closeAfterWrites()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case ChannelEvent.inputClosed:
            if held != nil {
                heldInputClosed = true
            } else {
                inputClosed()
            }
        case is ChannelShouldQuiesceEvent:
            // Server shutdown: a hijacked connection has no request boundary to wait for.
            context.close(promise: nil)
        default:
            // Nothing past this handler is interested: the HTTP handlers are gone or going.
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? NIOSSLError, case .uncleanShutdown = error {
            // A TCP FIN without TLS close_notify; `inputClosed` follows and is handled there.
            return
        }
        logger.debug("hijacked connection: \(side.rawValue) side failed, closing: \(error)")
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            partner?.partnerBecameWritable()
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if held == nil, partner?.partnerWritable == true {
            context.read()
        } else {
            pendingRead = true
        }
    }

    // MARK: Calls from the partner

    private var partnerWritable: Bool {
        context?.channel.isWritable ?? false
    }

    private func partnerWrite(_ buffer: ByteBuffer) {
        guard let context else { return }
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.write(wrapOutboundOut(buffer), promise: promise)
        lastWrite = promise.futureResult
    }

    private func partnerFlush() {
        context?.flush()
    }

    private func partnerBecameWritable() {
        guard pendingRead, held == nil, let context else { return }
        pendingRead = false
        context.read()
    }

    /// The client's input ended: half-close towards the socket; the socket's end of file
    /// closes everything.
    private func inputClosed() {
        switch side {
        case .client:
            logger.debug("hijacked connection: client half-closed; shutting down the socket's output")
            partner?.shutDownOutput()
        case .socket:
            partner?.closeAfterWrites()
        }
    }

    /// `SHUT_WR` once the bytes already written are out (NIO orders it after pending writes).
    private func shutDownOutput() {
        guard let context else { return }
        context.flush()
        context.close(mode: .output).assumeIsolated().whenFailure { [logger] error in
            logger.debug("hijacked connection: shutting down output failed: \(error)")
            context.close(promise: nil)
        }
    }

    /// Flushes, waits for the last write, then closes this side's channel.
    private func closeAfterWrites() {
        guard let context else { return }
        context.flush()
        let written = lastWrite ?? context.eventLoop.makeSucceededVoidFuture()
        written.assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
