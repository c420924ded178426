import NIOCore
import NIOHTTP1

extension ChannelPipeline.SynchronousOperations {
    /// Adds the HTTP/1.1 server handlers, then `handler`, at the end of the pipeline (after TLS).
    ///
    /// The same handlers as NIO's `configureHTTPServerPipeline(withErrorHandling: true)`, with two
    /// differences that the streaming and hijacked responses of `EngineHTTPHandler` need:
    /// - The request decoder keeps the bytes that follow an `Upgrade` request and hands them on
    ///   when it is removed (`.forwardBytes`), so early stdin of `docker attach` is not lost.
    /// - The response encoder does not add framing headers: `EngineHTTPHandler` sets
    ///   `Content-Length` or `Transfer-Encoding: chunked` itself, and sends neither on a
    ///   hijacked `200 OK`, whose body is the raw stream up to close.
    ///
    /// `EngineHTTPHandler` finds these handlers by type when it hands the connection over.
    func addEngineHTTPHandlers(_ handler: EngineHTTPHandler) throws {
        var encoderConfiguration = HTTPResponseEncoder.Configuration()
        encoderConfiguration.automaticallySetFramingHeaders = false
        let handlers: [any ChannelHandler] = [
            HTTPResponseEncoder(configuration: encoderConfiguration),
            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)),
            HTTPServerPipelineHandler(),
            NIOHTTPResponseHeadersValidator(),
            HTTPServerProtocolErrorHandler(),
            handler,
        ]
        try addHandlers(handlers)
    }
}
