import NIOCore
import NIOHTTP1

extension EngineHTTPHandler {
    /// Writes and flushes the head of a streamed response at once, then each element of
    /// `stream` as it arrives, each flushed, waiting for one write before taking the next.
    ///
    /// HTTP/1.1 bodies are chunked and the connection stays open for the next request; HTTP/1.0
    /// bodies end when the connection closes. `HEAD` (and a status without a body) gets the
    /// head only, and the stream is terminated unread. If the stream throws after the head went
    /// out, the connection is closed: a chunked body without its last chunk tells the client the
    /// response is incomplete.
    func startStream(
        _ stream: AsyncThrowingStream<[UInt8], any Error>, response: EngineResponse, request: HTTPRequestHead,
        context: ChannelHandlerContext
    ) {
        let chunkable = request.version.major > 1 || (request.version.major == 1 && request.version.minor >= 1)
        let bodyless = request.method == .HEAD || !response.status.mayHaveResponseBody
        let keepAlive = request.isKeepAlive && (chunkable || bodyless)
        let framing: Framing = bodyless ? .none : (chunkable ? .chunked : .none)
        let head = responseHead(response, for: request, keepAlive: keepAlive, framing: framing)
        context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
        guard !bodyless else {
            ResponseStreamPump.discard(stream)
            endStream(keepAlive: keepAlive, context: context)
            return
        }

        let eventLoop = context.eventLoop
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: eventLoop)
        let task = Task {
            let outcome = await ResponseStreamPump.run(stream) { chunk in
                let written = eventLoop.flatSubmit {
                    bound.value.handler.writeChunk(chunk, context: bound.value.context)
                }
                return (try? await written.get()) != nil
            }
            eventLoop.execute {
                bound.value.handler.streamEnded(outcome, keepAlive: keepAlive, context: bound.value.context)
            }
        }
        // The task reaches the handler only through `eventLoop`, so this is set before it does.
        state = .streaming(task)
    }

    /// Writes and flushes one chunk; the future completes when it is written to the socket.
    private func writeChunk(_ chunk: [UInt8], context: ChannelHandlerContext) -> EventLoopFuture<Void> {
        guard case .streaming = state else {
            return context.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
        }
        let buffer = context.channel.allocator.buffer(bytes: chunk)
        return context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))))
    }

    private func streamEnded(_ outcome: ResponseStreamPump.Outcome, keepAlive: Bool, context: ChannelHandlerContext) {
        // Anything else: the connection closed meanwhile and `stop()` cancelled the task.
        guard case .streaming = state else { return }
        switch outcome {
        case .finished:
            endStream(keepAlive: keepAlive, context: context)
        case .failed(let error):
            logger.info("streamed response failed after its head was sent; closing the connection: \(error)")
            state = .finished
            context.close(promise: nil)
        case .stopped:
            state = .finished
            context.close(promise: nil)
        }
    }

    /// Ends the response; the connection stays open for the next request when `keepAlive`.
    private func endStream(keepAlive: Bool, context: ChannelHandlerContext) {
        // Set before `.end`: writing it makes the pipelining handler deliver the next request.
        state = keepAlive ? .idle : .finished
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
