import NIOCore
import NIOHTTP1
import VICCore

extension EngineHTTPHandler {
    /// The parts of a streamed request body buffered for its consumer before the connection
    /// stops reading, and the depth at which it reads again (see `EngineRequestBody`).
    struct UploadWatermarks: Sendable {
        var low: Int
        var high: Int

        /// 4 and 16 parts: at most about 1 MiB buffered per upload.
        static let standard = UploadWatermarks(low: 4, high: 16)
    }

    /// The streamed body of the request being answered, from its head to its end.
    struct Upload {
        var source: EngineRequestBody.Producer.Source
        var flow = RequestBodyBackpressure()
    }

    /// Carries the consumer's demand back to the handler, on its event loop.
    struct UploadDelegate: NIOAsyncSequenceProducerDelegate {
        let eventLoop: any EventLoop
        let bound: NIOLoopBound<(handler: EngineHTTPHandler, context: ChannelHandlerContext)>

        func produceMore() {
            let bound = self.bound
            eventLoop.execute { bound.value.handler.uploadConsumerDrained(context: bound.value.context) }
        }

        func didTerminate() {
            // Gone consumers stop holding reads back as well: the rest is read and dropped.
            produceMore()
        }
    }

    /// Whether the request's body is streamed to the route instead of collected: the routes
    /// whose bodies may be larger than memory. `docker load` (`POST /images/load`),
    /// `docker import` (`POST /images/create?fromSrc=…`) and `docker cp` into a container
    /// (`PUT /containers/{id}/archive`).
    static func streamsBody(_ head: HTTPRequestHead) -> Bool {
        let request = EngineRequest(method: head.method, uri: head.uri)
        let segments = APIVersion.strippingPrefix(request.path).path.split(separator: "/")
        switch (head.method, segments.count) {
        case (.POST, 2):
            return segments[0] == "images"
                && (segments[1] == "load" || (segments[1] == "create" && !(request.queryValue("fromSrc") ?? "").isEmpty))
        case (.PUT, 3):
            return segments[0] == "containers" && segments[2] == "archive"
        default:
            return false
        }
    }

    /// Starts answering `head` at once, its body handed over as an `EngineRequestBody` that the
    /// following body parts feed.
    func startUpload(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let delegate = UploadDelegate(
            eventLoop: context.eventLoop, bound: NIOLoopBound((self, context), eventLoop: context.eventLoop))
        let made = EngineRequestBody.Producer.makeSequence(
            elementType: ByteBuffer.self, failureType: (any Error).self,
            backPressureStrategy: .init(lowWatermark: uploadWatermarks.low, highWatermark: uploadWatermarks.high),
            finishOnDeinit: false, delegate: delegate)
        upload = Upload(source: made.source)
        state = .responding(inputClosed: false)
        dispatch(context: context, head: head, body: [], bodyStream: EngineRequestBody(made.sequence))
    }

    /// Hands one body part to the consumer; holds reads back when it is behind.
    func feedUpload(_ part: ByteBuffer, context: ChannelHandlerContext) {
        guard var upload else { return }
        let demand: RequestBodyBackpressure.Demand =
            switch upload.source.yield(part) {
            case .produceMore: .more
            case .stopProducing: .stop
            case .dropped: .dropped
            }
        let readNow = upload.flow.didYield(demand)
        self.upload = upload
        if readNow { context.read() }
    }

    /// The body is complete: the consumer's sequence ends after the parts it has not read yet.
    func finishUpload() {
        upload?.source.finish()
        upload = nil
    }

    /// The body will not be complete: the consumer's next read throws `reason`.
    func failUpload(_ reason: String) {
        guard let upload else { return }
        logger.debug("streamed request body cut short: \(reason)")
        upload.source.finish(VICError(.unavailable, "request body: \(reason)"))
        self.upload = nil
    }

    /// The consumer drained to the low watermark, or went away.
    func uploadConsumerDrained(context: ChannelHandlerContext) {
        guard var upload else { return }
        let readNow = upload.flow.consumerDidDrain()
        self.upload = upload
        if readNow { context.read() }
    }

    /// The outbound `read` from the channel (the tail of the pipeline): held back while a
    /// streamed body's consumer is behind.
    func read(context: ChannelHandlerContext) {
        if var upload {
            let forward = upload.flow.shouldForwardRead()
            self.upload = upload
            guard forward else { return }
        }
        context.read()
    }
}
