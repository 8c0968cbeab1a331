import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Hummingbird's HTTP/1 channel with Plinth's connection guard and request admission.
///
/// - Head size limits answered with JSON 414/431, and a header-read timeout (``ConnectionGuardHandler``).
/// - Each request runs in a task of its own (``RequestTask``), cancelled when its client goes away.
/// - With `admission`, at most `admission.limit` requests run at once; the rest wait their turn in
///   arrival order, and one the limiter refuses runs with ``Admission/refusal`` set, so
///   ``RescueErrorsMiddleware`` answers it with a 503 that still gets CORS, a request id and a log line.
///
/// Both live here, below the router, for memory. A Swift task keeps every slab of async frames
/// its deepest call chain needed until it ends, and Hummingbird's responder, router and middleware
/// chain need ~10 KB of them. Waiting for admission in the connection's task, before any of that
/// chain runs, and running the chain in a task that ends with the request, leaves an idle or
/// waiting connection with the frames of its read loop only. (Measured, 5,000 connections, one
/// `GET /posts` each: ~3 KB kept per connection, against 10 KB with the request task and admission
/// as the outermost middleware; c=10,000 with the cache off on PostgreSQL: peak RSS ~205 MB against 324.)
/// ```swift
/// let admission = ConcurrencyLimiter(limit: 256, queueLimit: 65536, maxWait: .seconds(10))
/// Application(router: router, server: .plinthHTTP1(headerTimeout: .seconds(10), idleTimeout: .seconds(60), admission: admission))
/// ```
public struct PlinthHTTP1Channel: ServerChildChannel {
    /// The connection as the server hands it over: the async channel and its stop switch.
    public struct Value: ServerChildChannelValue {
        let asyncChannel: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>
        let control: ConnectionControl
        /// The connection's channel.
        public var channel: any Channel { asyncChannel.channel }
    }

    /// The application's responder.
    public let responder: HTTPChannelHandler.Responder
    /// The bound on requests running at once, if any.
    public let admission: ConcurrencyLimiter?

    private let base: HTTP1Channel
    private let limits: HTTPHeadLimits

    /// Creates the channel for `responder`.
    public init(
        responder: @escaping HTTPChannelHandler.Responder,
        limits: HTTPHeadLimits,
        headerTimeout: TimeAmount,
        idleTimeout: TimeAmount?,
        admission: ConcurrencyLimiter? = nil
    ) {
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
            maxHeaderFieldSize: max(limits.maxURIBytes, limits.maxFieldBytes),
            maxHeaderListSize: limits.maxTotalBytes,
            maxHeaderFieldCount: limits.maxFieldCount
        )
        let configuration = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuardHandler(limits: limits, headerTimeout: headerTimeout)],
            idleTimeout: idleTimeout,
            httpDecoderConfiguration: decoder
        )
        self.base = HTTP1Channel(responder: responder, configuration: configuration)
        self.responder = responder
        self.admission = admission
        self.limits = limits
    }

    /// Hummingbird's HTTP/1 pipeline, plus the raw-byte probe in front of the decoder.
    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { asyncChannel in
            let operations = channel.pipeline.syncOperations
            try channel.syncOptions?.setOption(
                ChannelOptions.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65536))
            let guardHandler = try operations.handler(type: ConnectionGuardHandler.self)
            try operations.addHandler(RequestLineProbe(guardHandler: guardHandler, maxURIBytes: limits.maxURIBytes), position: .first)
            return Value(asyncChannel: asyncChannel, control: guardHandler.control)
        }
    }

    /// Serves the connection's requests with Hummingbird's HTTP/1 loop, each admitted, then run in a task of its own.
    public func handle(value: Value, logger: Logger) async {
        // The connection's control is captured here rather than set as a task-local: a task-local
        // scope costs the connection's task a frame slab (~1 KB) for as long as it lives.
        let connection = ConnectionLoop(responder: { [responder, admission, control = value.control] request, writer, channel in
            let writer = ResponseWriterBox(writer)
            guard let admission else { return try await RequestTask.run(responder, request, writer, channel, connection: control) }
            try await admission.run {
                try await RequestTask.run(responder, request, writer, channel, connection: control)
            } ifRefused: { refusal in
                try await RequestTask.run(responder, request, writer, channel, connection: control, refusal: refusal)
            } onQueued: { leave in
                // A client that leaves while its request waits takes it out of the queue; the
                // connection then closes.
                control.servingRequest(cancel: leave)
            }
        })
        await connection.handleHTTP(asyncChannel: value.asyncChannel, logger: logger)
    }
}

/// Hummingbird's request loop for one connection, with that connection's responder.
private struct ConnectionLoop: HTTPChannelHandler {
    let responder: HTTPChannelHandler.Responder

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>> {
        preconditionFailure("PlinthHTTP1Channel sets connections up")
    }

    func handle(value: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// An HTTP/1 server with Plinth's connection guard and admission (see ``PlinthHTTP1Channel``).
    public static func plinthHTTP1(
        limits: HTTPHeadLimits = HTTPHeadLimits(),
        headerTimeout: TimeAmount,
        idleTimeout: TimeAmount?,
        admission: ConcurrencyLimiter? = nil
    ) -> HTTPServerBuilder {
        .init { responder in
            PlinthHTTP1Channel(responder: responder, limits: limits, headerTimeout: headerTimeout, idleTimeout: idleTimeout, admission: admission)
        }
    }
}

/// Carries a response writer (non-copyable) into the request's task.
final class ResponseWriterBox: @unchecked Sendable {
    private var writer: ResponseWriter?

    init(_ writer: consuming ResponseWriter) {
        self.writer = consume writer
    }

    /// The writer; taken once, by the request's task.
    func take() -> ResponseWriter {
        guard let writer = writer.take() else { preconditionFailure("a response writer is taken once") }
        return writer
    }
}
