import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import VICCore

extension EngineHTTPHandler {
    /// Hands the connection to `hijack.socket`, as dockerd does for attach and exec start.
    ///
    /// 1. Wraps the socket in a channel on this event loop, with the socket half of the relay.
    /// 2. Writes the head: `101 UPGRADED` with `Connection: Upgrade` and `Upgrade: tcp` when the
    ///    request asked for `Upgrade: tcp`, else `200 OK`; never a length or chunking.
    /// 3. Puts the client half of the relay in front of the HTTP handlers (above TLS), so from
    ///    now on it gets every byte the client sends and writes straight to the connection.
    /// 4. Removes the HTTP handlers, this one and then the request decoder, whose buffered bytes
    ///    (sent after the request, before the head arrived) go to the socket first.
    ///
    /// A descriptor that is not a stream socket is closed and answered with a 500.
    func startHijack(
        _ hijack: Hijack, response: EngineResponse, request: HTTPRequestHead, inputClosed: Bool,
        context: ChannelHandlerContext
    ) {
        state = .hijacking(inputClosed: inputClosed)
        guard HijackSocket.isStreamSocket(hijack.socket),
            let bootstrap = ClientBootstrap(validatingGroup: context.eventLoop)
        else {
            HijackSocket.close(hijack.socket)
            failHijack(VICError(.internal, "hijack: descriptor \(hijack.socket) is not a stream socket"),
                request: request, context: context)
            return
        }
        let (clientRelay, socketRelay) = HijackRelayHandler.makePair(logger: logger)
        let boundSocketRelay = NIOLoopBound(socketRelay, eventLoop: context.eventLoop)
        bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(boundSocketRelay.value)
                }
            }
            .withConnectedSocket(hijack.socket)
            .hop(to: context.eventLoop)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let socketChannel):
                    self.completeHijack(
                        hijack, onto: socketChannel, relay: clientRelay, response: response, request: request,
                        context: context)
                case .failure(let error):
                    // NIO closed the descriptor with the channel it could not register.
                    self.failHijack(VICError(.internal, "hijack: wrap socket", underlying: error),
                        request: request, context: context)
                }
            }
    }

    private func failHijack(_ error: VICError, request: HTTPRequestHead, context: ChannelHandlerContext) {
        logger.error("\(error)")
        guard case .hijacking(let inputClosed) = state else { return }
        state = .responding(inputClosed: inputClosed)
        // After an upgrade request the decoder parses nothing more; close in any case.
        write(EngineResponse.error(error).withStandardHeaders(build), for: request, context: context,
            forceClose: true)
    }

    private func completeHijack(
        _ hijack: Hijack, onto socketChannel: any Channel, relay: HijackRelayHandler, response: EngineResponse,
        request: HTTPRequestHead, context: ChannelHandlerContext
    ) {
        guard case .hijacking = state, context.channel.isActive else {
            socketChannel.close(promise: nil)
            return
        }
        var headers = response.headers
        headers.remove(name: "Content-Length")
        headers.remove(name: "Transfer-Encoding")
        headers.replaceOrAdd(name: "Content-Type", value: hijack.contentType)
        let upgrade = Self.asksForTCPUpgrade(request)
        if upgrade {
            headers.replaceOrAdd(name: "Connection", value: "Upgrade")
            headers.replaceOrAdd(name: "Upgrade", value: "tcp")
        }
        let status: HTTPResponseStatus = upgrade ? .custom(code: 101, reasonPhrase: "UPGRADED") : .ok
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        relay.follow(context.writeAndFlush(wrapOutboundOut(.head(head))))
        do {
            try handOver(to: relay, decoderStopped: Self.stopsHTTPParsing(request), context: context)
        } catch {
            logger.error("hijack: reconfiguring the pipeline failed, closing: \(error)")
            context.close(promise: nil)
            socketChannel.close(promise: nil)
        }
    }

    /// Steps 3 and 4 of `startHijack`.
    private func handOver(to relay: HijackRelayHandler, decoderStopped: Bool, context: ChannelHandlerContext) throws {
        let pipeline = context.pipeline
        let operations = pipeline.syncOperations
        let decoder = try operations.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
        let encoder = try? operations.context(handlerType: HTTPResponseEncoder.self)
        try operations.addHandler(relay, position: .before((encoder ?? decoder).handler))

        // The pipelining handler releases what it held back (a half-close, parse errors) to the
        // handlers after it, this one included, which records a half-close.
        removeIfPresent(HTTPServerPipelineHandler.self, from: operations)
        removeIfPresent(HTTPServerProtocolErrorHandler.self, from: operations)
        removeIfPresent(NIOHTTPResponseHeadersValidator.self, from: operations)
        removeIfPresent(HTTPResponseEncoder.self, from: operations)
        guard case .hijacking(let inputClosed) = state else { return }
        state = .finished
        _ = operations.removeHandler(context: context)

        // After an upgrade request the decoder parses no more, and hands what it buffered on as
        // bytes when removed; otherwise it may hold half-parsed HTTP, which is dropped.
        let collector = decoderStopped ? LeftoverCollector() : nil
        if let collector {
            try operations.addHandler(collector, position: .after(decoder.handler))
        }
        operations.removeHandler(context: decoder).assumeIsolated().whenComplete { _ in
            relay.open(with: collector?.buffers ?? [], inputClosedEarlier: inputClosed)
            if let collector {
                _ = pipeline.syncOperations.removeHandler(collector)
            }
        }
    }

    private func removeIfPresent<Handler: RemovableChannelHandler>(
        _ type: Handler.Type, from operations: ChannelPipeline.SynchronousOperations
    ) {
        guard let handlerContext = try? operations.context(handlerType: type) else { return }
        _ = operations.removeHandler(context: handlerContext)
    }

    /// Docker's upgrade: `Connection: Upgrade` and `Upgrade: tcp`.
    static func asksForTCPUpgrade(_ request: HTTPRequestHead) -> Bool {
        connectionTokens(request).contains("upgrade")
            && request.headers["upgrade"].contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "tcp" }
    }

    /// Whether NIO's request decoder (llhttp) stops parsing after this request: an `Upgrade`
    /// header with an `upgrade` token in `Connection`, or `CONNECT`. Errs on the side of `false`.
    static func stopsHTTPParsing(_ request: HTTPRequestHead) -> Bool {
        request.method == .CONNECT
            || (request.headers.contains(name: "upgrade") && connectionTokens(request).contains("upgrade"))
    }

    private static func connectionTokens(_ request: HTTPRequestHead) -> [String] {
        request.headers["connection"].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    }
}

/// Catches the bytes the request decoder hands on when it is removed after an upgrade request.
private final class LeftoverCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private(set) var buffers: [ByteBuffer] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        buffers.append(unwrapInboundIn(data))
    }
}
