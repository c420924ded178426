import Logging
import NIOCore
import NIOHTTP1
import VICCore

/// The last handler of a connection's pipeline: collects one request (head and a bounded body),
/// lets the router answer it in a task, and writes the response back on the event loop.
///
/// Expects `configureHTTPServerPipeline` in front of it, whose pipelining handler delivers one
/// request at a time and closes a quiescing connection once the response in flight is written.
/// Every response carries `Content-Length`; a request that is not keep-alive gets
/// `Connection: close` and the connection is closed after the response.
///
/// A body over `maxBodySize` is answered at once with 413 and the connection closed.
/// `Expect: 100-continue` gets an interim `100 Continue` unless the declared length is too large.
final class EngineHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case collecting(HTTPRequestHead, ByteBuffer)
        /// A 413 went out; the rest of the request is dropped and the connection is closing.
        case discarding
        /// The router has the request; the pipelining handler holds back the next one.
        case responding
    }

    private let router: Router
    private let maxBodySize: Int
    private let logger: Logger
    private var state = State.idle

    init(router: Router, maxBodySize: Int, logger: Logger) {
        self.router = router
        self.maxBodySize = maxBodySize
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .idle):
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maxBodySize {
                rejectTooLarge(context: context, head: head)
            } else {
                state = .collecting(head, context.channel.allocator.buffer(capacity: 0))
                if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                    let interim = HTTPResponseHead(version: head.version, status: .continue)
                    context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
                }
            }
        case (.body(var chunk), .collecting(let head, var body)):
            guard body.readableBytes + chunk.readableBytes <= maxBodySize else {
                rejectTooLarge(context: context, head: head)
                return
            }
            // Drop the reference in `state` first so the append does not copy the buffer.
            state = .idle
            body.writeBuffer(&chunk)
            state = .collecting(head, body)
        case (.end, .collecting(let head, let body)):
            state = .responding
            respond(context: context, head: head, body: body)
        case (_, .discarding):
            break
        case (let part, _):
            // The pipelining handler makes this impossible; close rather than guess.
            logger.error("unexpected HTTP request part \(part) in state \(state); closing the connection")
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error, closing: \(error)")
        context.close(promise: nil)
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer) {
        let request = EngineRequest(
            method: head.method, uri: head.uri, headers: head.headers, body: Array(body.readableBytesView))
        let router = self.router
        context.eventLoop.makeFutureWithTask { await router.handle(request) }
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let response):
                    self.write(response, for: head, context: context)
                case .failure(let error):
                    // The task cannot throw; if it ever does, still answer.
                    self.write(EngineResponse.error(error).withStandardHeaders(router.build), for: head, context: context)
                }
            }
    }

    private func rejectTooLarge(context: ChannelHandlerContext, head: HTTPRequestHead) {
        state = .discarding
        let error = VICError(.invalidArgument, "request body exceeds \(maxBodySize) bytes")
        var response = EngineResponse.error(error).withStandardHeaders(router.build)
        response.status = .payloadTooLarge
        write(response, for: head, context: context, forceClose: true)
    }

    private func write(
        _ response: EngineResponse, for request: HTTPRequestHead, context: ChannelHandlerContext,
        forceClose: Bool = false
    ) {
        let keepAlive = request.isKeepAlive && !forceClose
        var headers = response.headers
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if request.version.major == 1, request.version.minor == 0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        let head = HTTPResponseHead(version: request.version, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD, !response.body.isEmpty {
            let buffer = context.channel.allocator.buffer(bytes: response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        if !forceClose { state = .idle }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
