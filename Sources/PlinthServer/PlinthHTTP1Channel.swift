import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import Plinth
import PlinthCore

/// Plinth's HTTP/1 server channel: SwiftNIO's HTTP/1 codec, driven from the event loop, with a
/// task per request instead of a task per connection.
///
/// - Head size limits answered with JSON 414/431, and a header-read timeout (``ConnectionGuardHandler``).
/// - Each request runs in a task of its own, cancelled when its client goes away (``ConnectionControl``).
/// - With `admission`, at most `admission.limit` requests run at once; the rest wait their turn in
///   arrival order without a task (``ConcurrencyLimiter/admit(_:)``), and one the limiter refuses
///   runs with ``Admission/refusal`` set, so ``RescueErrorsMiddleware`` answers it with a 503 that
///   still gets CORS, a request id and a log line.
/// - Pipelined requests are answered in order, and a graceful shutdown closes each connection once
///   its response is written (SwiftNIO's `HTTPServerPipelineHandler`); idle connections are closed
///   after `idleTimeout` (``ConnectionGuardHandler``).
///
/// Why not Hummingbird's `HTTP1Channel`: its read loop is a task per connection, alive as long as
/// the connection, and a Swift task keeps the frame slabs its deepest call chain needed until it
/// ends. Measured with 10,000 idle connections, that loop (and the `NIOAsyncChannel` it reads) was
/// ~7 KB of the ~13 KB each connection cost; at c=10,000 with the cache off on PostgreSQL the peak
/// RSS was ~205 MB. Here an idle connection is only its NIO handlers, and a request waiting for
/// admission only its parsed head.
///
/// The responder is passed in rather than taken from `Application`, whose responder writes
/// through a `NIOAsyncChannel`; the Date header and the 500 for an unexpected error are added here
/// as `Application` does.
/// ```swift
/// let responder = router.buildResponder()
/// let admission = ConcurrencyLimiter(limit: 256, queueLimit: 65536, maxWait: .seconds(10))
/// Application(responder: responder, server: .plinthHTTP1(responder: responder, headerTimeout: .seconds(10), idleTimeout: .seconds(60), admission: admission))
/// ```
public struct PlinthHTTP1Channel<Responder: HTTPResponder>: ServerChildChannel
where Responder.Context: RequestContext, Responder.Context.Source == ApplicationRequestContextSource {
    /// The connection as the server hands it over.
    public struct Value: ServerChildChannelValue {
        /// The connection's channel.
        public let channel: any Channel
    }

    /// The responder every request goes to.
    public let responder: Responder
    /// The bound on requests running at once, if any.
    public let admission: ConcurrencyLimiter?

    private let limits: HTTPHeadLimits
    private let headerTimeout: TimeAmount
    private let idleTimeout: TimeAmount?
    private let connections = OpenConnections()

    /// Creates the channel for `responder`.
    public init(
        responder: Responder,
        limits: HTTPHeadLimits,
        headerTimeout: TimeAmount,
        idleTimeout: TimeAmount?,
        admission: ConcurrencyLimiter? = nil
    ) {
        self.responder = responder
        self.admission = admission
        self.limits = limits
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
    }

    /// The HTTP/1 pipeline: the raw-byte probe, NIO's codec with pipelining assistance, the
    /// conversion to HTTP types, the connection guard (with the idle timer) and the request dispatcher.
    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let operations = channel.pipeline.syncOperations
            var decoderLimits = NIOHTTPDecoderLimitConfiguration()
            decoderLimits.maxHeaderFieldSize = max(limits.maxURIBytes, limits.maxFieldBytes)
            decoderLimits.maxHeaderListSize = limits.maxTotalBytes
            decoderLimits.maxHeaderFieldCount = limits.maxFieldCount
            try operations.configureHTTPServerPipeline(
                withPipeliningAssistance: true,
                withErrorHandling: false,  // ConnectionGuardHandler answers parse errors
                withOutboundHeaderValidation: false,  // HTTP types validate fields already
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: decoderLimits
            )
            try operations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            let guardHandler = ConnectionGuardHandler(limits: limits, headerTimeout: headerTimeout, idleTimeout: idleTimeout)
            try operations.addHandler(guardHandler)
            let server = RequestServer(responder: responder, admission: admission, logger: logger)
            try operations.addHandler(RequestDispatcher(server: server, control: guardHandler.control))
            try operations.addHandler(RequestLineProbe(guardHandler: guardHandler, maxURIBytes: limits.maxURIBytes), position: .first)
            try channel.syncOptions?.setOption(
                ChannelOptions.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65536))
            connections.opened(channel)
            return Value(channel: channel)
        }
    }

    /// Returns at once, except for one connection at a time, which waits until no connection is
    /// open (``OpenConnections``); the handlers serve each connection from the event loop.
    public func handle(value: Value, logger: Logger) async {
        await connections.waitUntilNoneIsOpen()
    }
}

extension HTTPServerBuilder {
    /// An HTTP/1 server with Plinth's connection guard and admission, serving `responder`
    /// (see ``PlinthHTTP1Channel``; the responder `Application` hands over is not used).
    public static func plinthHTTP1<Responder: HTTPResponder>(
        responder: Responder,
        limits: HTTPHeadLimits = HTTPHeadLimits(),
        headerTimeout: TimeAmount,
        idleTimeout: TimeAmount?,
        admission: ConcurrencyLimiter? = nil
    ) -> HTTPServerBuilder where Responder.Context: RequestContext, Responder.Context.Source == ApplicationRequestContextSource {
        .init { _ in
            PlinthHTTP1Channel(responder: responder, limits: limits, headerTimeout: headerTimeout, idleTimeout: idleTimeout, admission: admission)
        }
    }
}
