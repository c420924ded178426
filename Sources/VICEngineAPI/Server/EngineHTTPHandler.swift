import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import VICCore

/// The last handler of a connection's pipeline: collects one request (head and a bounded body),
/// lets the responder (the router) answer it in a task, and writes the response back on the
/// event loop: complete, streamed (`EngineHTTPHandler+Streaming`) or hijacked (`+Hijack`).
///
/// Expects `addEngineHTTPHandlers` (or NIO's `configureHTTPServerPipeline`) in front of it,
/// whose pipelining handler delivers one request at a time and closes a quiescing connection
/// once the response in flight is written. A complete response carries `Content-Length`; a
/// request that is not keep-alive gets `Connection: close` and the connection is closed after
/// the response.
///
/// A body over `maxBodySize` is answered at once with 413 and the connection closed.
/// `Expect: 100-continue` gets an interim `100 Continue` unless the declared length is too large.
///
/// The routes of `streamsBody(_:)` (`docker load`, `docker import`, `docker cp`) are not bound:
/// they are answered from the head on, their body an `EngineRequestBody` fed part by part as it
/// arrives (`+Upload`), and the channel stops reading while the consumer is behind. A response
/// that goes out before such a body ended closes the connection, and a body cut short (the
/// client went away or half-closed) makes the consumer's read throw.
///
/// The server allows remote half-closure, so a client's end of file arrives as
/// `ChannelEvent.inputClosed`: between requests it closes the connection; during a complete
/// response the response is still written, then the connection closed; during a stream it means
/// the client is gone, and the stream is cancelled.
final class EngineHTTPHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart
    /// Answers one request; never fails (errors are error responses).
    typealias Responder = @Sendable (EngineRequest) async -> EngineResponse

    enum State {
        case idle
        case collecting(HTTPRequestHead, ByteBuffer)
        /// A 413 went out; the rest of the request is dropped and the connection is closing.
        case discarding
        /// The responder has the request; the pipelining handler holds back the next one.
        /// `inputClosed` records a client half-close meanwhile.
        case responding(inputClosed: Bool)
        /// A streamed body is being written by `task`.
        case streaming(Task<Void, Never>)
        /// Waiting for the hijack socket's channel.
        case hijacking(inputClosed: Bool)
        /// The connection was handed over or is closing: nothing more to answer.
        case finished
    }

    /// How a response body is delimited on the wire.
    enum Framing {
        case contentLength(Int)
        case chunked
        /// No body, or a body that ends when the connection closes (HTTP/1.0 streams, hijacks).
        case none
    }

    let responder: Responder
    let build: EngineBuild
    let maxBodySize: Int
    let uploadWatermarks: UploadWatermarks
    let logger: Logger
    var state = State.idle
    /// The streamed body of the request being answered, until its end (or failure).
    var upload: Upload?

    /// A handler answering through `router`.
    convenience init(router: Router, maxBodySize: Int, logger: Logger) {
        self.init(build: router.build, maxBodySize: maxBodySize, logger: logger) { await router.handle($0) }
    }

    /// A handler answering through `responder`; `build` supplies the standard headers of the
    /// responses the handler makes itself (413, failed hijacks).
    init(
        build: EngineBuild, maxBodySize: Int, uploadWatermarks: UploadWatermarks = .standard, logger: Logger,
        responder: @escaping Responder
    ) {
        self.responder = responder
        self.build = build
        self.maxBodySize = maxBodySize
        self.uploadWatermarks = uploadWatermarks
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .idle):
            let streamed = Self.streamsBody(head)
            if !streamed, let length = head.headers.first(name: "content-length").flatMap(Int.init),
                length > maxBodySize
            {
                rejectTooLarge(context: context, head: head)
                return
            }
            if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                let interim = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
            }
            if streamed {
                startUpload(head, context: context)
            } else {
                state = .collecting(head, context.channel.allocator.buffer(capacity: 0))
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
            state = .responding(inputClosed: false)
            dispatch(context: context, head: head, body: Array(body.readableBytesView))
        case (.body(let part), .responding), (.body(let part), .streaming):
            // A streamed body; without an upload, the tail of one answered early (dropped).
            feedUpload(part, context: context)
        case (.end, .responding), (.end, .streaming):
            finishUpload()
        case (_, .discarding), (_, .hijacking), (_, .finished):
            // Dropped: the connection is closing, or is being handed over and these are bytes the
            // client sent too early on a hijack without `Upgrade`, parsed as HTTP.
            break
        case (let part, _):
            // The pipelining handler makes this impossible; close rather than guess.
            logger.error("unexpected HTTP request part \(part) in state \(state); closing the connection")
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, case .hijacking = state {
            // Server shutdown during a handover (the pipelining handler replays the event when it
            // is removed): a hijacked connection would be closed at once anyway.
            context.close(promise: nil)
            return
        }
        guard case ChannelEvent.inputClosed = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        failUpload("the client closed its side before the end")
        switch state {
        case .idle, .collecting:
            context.close(promise: nil)
        case .responding:
            state = .responding(inputClosed: true)
        case .streaming(let task):
            // Like Go's server: end of file from the client while streaming means it is gone.
            logger.debug("client closed its side during a streamed response; cancelling it")
            task.cancel()
            state = .finished
            context.close(promise: nil)
        case .hijacking:
            state = .hijacking(inputClosed: true)
        case .discarding, .finished:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .hijacking = state, let error = error as? NIOSSLError, case .uncleanShutdown = error {
            // A half-close without TLS close_notify; `inputClosed` follows and is relayed.
            return
        }
        logger.debug("connection error, closing: \(error)")
        failUpload("connection error: \(error)")
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    /// The connection is gone: a stream in flight is cancelled; a response still being computed
    /// is disposed of when it arrives.
    private func stop() {
        failUpload("the connection closed before the end")
        if case .streaming(let task) = state { task.cancel() }
        state = .finished
    }

    func dispatch(
        context: ChannelHandlerContext, head: HTTPRequestHead, body: [UInt8], bodyStream: EngineRequestBody? = nil
    ) {
        let request = EngineRequest(
            method: head.method, uri: head.uri, headers: head.headers, body: body, streamedBody: bodyStream)
        let responder = self.responder
        let build = self.build
        context.eventLoop.makeFutureWithTask { await responder(request) }
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let response):
                    self.answer(response, to: head, context: context)
                case .failure(let error):
                    // The task cannot throw; if it ever does, still answer.
                    self.answer(EngineResponse.error(error).withStandardHeaders(build), to: head, context: context)
                }
            }
    }

    private func answer(_ response: EngineResponse, to head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard case .responding(let inputClosed) = state else {
            // The connection closed while the responder worked.
            Self.dispose(response)
            return
        }
        var request = head
        let bodyUnread = upload != nil
        if bodyUnread {
            // The body is still arriving: the connection cannot carry another request. A complete
            // response means the route is done with the body; a streamed one may still read it.
            request.headers.replaceOrAdd(name: "Connection", value: "close")
            if response.stream == nil { failUpload("the response was sent before the body was read") }
        }
        if let hijack = response.hijack {
            if let stream = response.stream { ResponseStreamPump.discard(stream) }
            startHijack(hijack, response: response, request: head, inputClosed: inputClosed, context: context)
            return
        }
        // After an upgrade request the decoder parses nothing more: a connection that was not
        // handed over cannot serve another request.
        if Self.stopsHTTPParsing(head) { request.headers.replaceOrAdd(name: "Connection", value: "close") }
        if let stream = response.stream {
            guard !inputClosed else {
                ResponseStreamPump.discard(stream)
                state = .finished
                context.close(promise: nil)
                return
            }
            startStream(stream, response: response, request: request, context: context)
        } else {
            write(response, for: request, context: context, forceClose: inputClosed || bodyUnread)
        }
    }

    /// Releases what a response holds when it will not be sent: the hijack socket is closed and
    /// the stream's producer told to stop.
    static func dispose(_ response: EngineResponse) {
        if let stream = response.stream { ResponseStreamPump.discard(stream) }
        if let hijack = response.hijack { HijackSocket.close(hijack.socket) }
    }

    private func rejectTooLarge(context: ChannelHandlerContext, head: HTTPRequestHead) {
        state = .discarding
        let error = VICError(.invalidArgument, "request body exceeds \(maxBodySize) bytes")
        var response = EngineResponse.error(error).withStandardHeaders(build)
        response.status = .payloadTooLarge
        write(response, for: head, context: context, forceClose: true)
    }

    /// Writes a complete response.
    func write(
        _ response: EngineResponse, for request: HTTPRequestHead, context: ChannelHandlerContext,
        forceClose: Bool = false
    ) {
        let keepAlive = request.isKeepAlive && !forceClose
        let framing: Framing = response.status.mayHaveResponseBody ? .contentLength(response.body.count) : .none
        let head = responseHead(response, for: request, keepAlive: keepAlive, framing: framing)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD, response.status.mayHaveResponseBody, !response.body.isEmpty {
            let buffer = context.channel.allocator.buffer(bytes: response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        // Set before `.end`: writing it makes the pipelining handler deliver the next request.
        if !forceClose { state = .idle }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// The head of `response` with the transport's headers: framing and `Connection`.
    func responseHead(
        _ response: EngineResponse, for request: HTTPRequestHead, keepAlive: Bool, framing: Framing
    ) -> HTTPResponseHead {
        var headers = response.headers
        headers.remove(name: "Content-Length")
        headers.remove(name: "Transfer-Encoding")
        switch framing {
        case .contentLength(let length): headers.add(name: "Content-Length", value: String(length))
        case .chunked: headers.add(name: "Transfer-Encoding", value: "chunked")
        case .none: break
        }
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if request.version.major == 1, request.version.minor == 0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        return HTTPResponseHead(version: request.version, status: response.status, headers: headers)
    }
}
