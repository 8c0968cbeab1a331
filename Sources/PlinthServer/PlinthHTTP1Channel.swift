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
/// - Pipelined requests are answered in order (SwiftNIO's `HTTPServerPipelineHandler`), idle
///   connections are closed after `idleTimeout`, and a graceful shutdown closes each connection
///   once its response is written (Hummingbird's `HTTPConnectionStateHandler`).
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
    /// conversion to HTTP types, the connection guard, the idle timer and the request dispatcher.
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
            let guardHandler = ConnectionGuardHandler(limits: limits, headerTimeout: headerTimeout)
            try operations.addHandler(guardHandler)
            if let idleTimeout {
                try operations.addHandler(HTTPConnectionStateHandler(idleTimeout: .nanoseconds(idleTimeout.nanoseconds), logger: logger))
            }
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

/// The connections of one server that are still open, so that its `run()` returns only once all
/// are closed: a graceful shutdown then waits for the requests in flight.
///
/// Hummingbird's server returns once every connection's `handle` has. Waiting for its own
/// connection in each `handle` costs a task per connection (measured at c=10,000: ~1.7 KB each,
/// 146 MB peak against 129); here one `handle` waits for all, and the others return at once.
final class OpenConnections: Sendable {
    private struct State {
        var open = 0
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = NIOLockedValueBox(State())

    /// Counts `channel` until it closes.
    func opened(_ channel: any Channel) {
        state.withLockedValue { $0.open += 1 }
        channel.closeFuture.whenComplete { [self] _ in closed() }
    }

    private func closed() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.open -= 1
            guard state.open == 0 else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Waits until no connection is open, unless another caller already waits (or none is open).
    /// Cancelling the wait (the server is cancelled rather than shut down gracefully) ends it.
    func waitUntilNoneIsOpen() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waits = state.withLockedValue { state -> Bool in
                    guard state.waiter == nil, state.open > 0, !Task.isCancelled else { return false }
                    state.waiter = continuation
                    return true
                }
                if !waits { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }?.resume()
        }
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

/// What every request of a server shares.
struct RequestServer<Responder: HTTPResponder>: Sendable
where Responder.Context: RequestContext, Responder.Context.Source == ApplicationRequestContextSource {
    let responder: Responder
    let admission: ConcurrencyLimiter?
    let logger: Logger
}

/// Turns a connection's request parts into requests, one at a time, each served by a ``RequestRun``.
///
/// A request whose head and end arrive in the same read (every `GET`, most small writes) gets its
/// body as one buffer; otherwise the body streams to the request with back-pressure on the socket.
final class RequestDispatcher<Responder: HTTPResponder>: ChannelDuplexHandler, RemovableChannelHandler
where Responder.Context: RequestContext, Responder.Context.Source == ApplicationRequestContextSource {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    typealias BodyProducer = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, BodyDelegate
    >

    private enum State {
        /// Between requests.
        case idle
        /// A head read, and the body so far; dispatched at `.end` or at the end of the read.
        case collecting(HTTPRequest, ByteBuffer?)
        /// Dispatched; the rest of the body goes to the request's stream.
        case streaming(BodyProducer.Source)
        /// Dispatched; what is left of the body is dropped (the request did not read it).
        case draining
    }

    private let server: RequestServer<Responder>
    private let control: ConnectionControl
    private var state = State.idle
    private var context: ChannelHandlerContext?
    /// A response is being produced or written.
    private var responding = false
    private var inputClosed = false
    /// The request's body stream is full: reads wait until it drains.
    private var readPaused = false
    private var readPending = false

    init(server: RequestServer<Responder>, control: ConnectionControl) {
        self.server = server
        self.control = control
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finishBody(error: ChannelError.ioOnClosedChannel)
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            state = .collecting(head, nil)
        case .body(let chunk):
            switch state {
            case .collecting(let head, var body):
                state = .idle  // keeps `body` uniquely referenced while it grows
                if body == nil { body = chunk } else { body!.writeImmutableBuffer(chunk) }
                state = .collecting(head, body)
            case .streaming(let source):
                if source.yield(chunk) == .stopProducing { readPaused = true }
            case .idle, .draining:
                break
            }
        case .end:
            switch state {
            case .collecting(let head, let body):
                state = .idle
                dispatch(head, body: RequestBody(buffer: body ?? ByteBuffer()), context: context)
            case .streaming(let source):
                state = .idle
                source.finish()
            case .idle, .draining:
                state = .idle
            }
        }
    }

    /// A request whose end has not arrived by the end of this read streams the rest of its body.
    func channelReadComplete(context: ChannelHandlerContext) {
        if case .collecting(let head, let body) = state {
            let delegate = BodyDelegate(dispatcher: NIOLoopBound(self, eventLoop: context.eventLoop))
            let stream = BodyProducer.makeSequence(
                backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8), finishOnDeinit: true, delegate: delegate)
            if let body, stream.source.yield(body) == .stopProducing { readPaused = true }
            state = .streaming(stream.source)
            dispatch(head, body: RequestBody(asyncSequence: stream.sequence), context: context)
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        finishBody(error: ChannelError.eof)
        context.fireChannelInactive()
    }

    /// A client that closed its side gets the response under way, then the connection closes.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            inputClosed = true
            finishBody(error: ChannelError.eof)
            if !responding { context.close(promise: nil) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finishBody(error: error)
        context.close(promise: nil)
    }

    /// Holds reads back while the request's body stream is full.
    func read(context: ChannelHandlerContext) {
        if readPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    /// The end of a response: the rest of the request's body is dropped, and the connection
    /// closes now if its client closed its side.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else { return context.write(data, promise: promise) }
        responding = false
        // The response is complete, so nothing will read the rest of the request's body (the
        // request may still hold its stream): drop it rather than wait for room.
        bodyAbandoned()
        guard inputClosed else { return context.write(data, promise: promise) }
        context.writeAndFlush(data).assumeIsolated().whenComplete { result in
            promise?.completeWith(result)
            context.close(promise: nil)
        }
    }

    /// The request's body stream wants more.
    func resumeReading() {
        readPaused = false
        if readPending, let context {
            readPending = false
            context.read()
        }
    }

    /// The request stopped reading its body, or its response is complete: the rest is dropped.
    func bodyAbandoned() {
        if case .streaming(let source) = state {
            state = .draining
            source.finish()
        }
        resumeReading()
    }

    private func finishBody(error: any Error) {
        if case .streaming(let source) = state {
            state = .draining
            source.finish(error)
        }
        readPaused = false
    }

    private func dispatch(_ head: HTTPRequest, body: RequestBody, context: ChannelHandlerContext) {
        responding = true
        let run = RequestRun(
            server: server,
            request: Request(head: head, body: body),
            channel: context.channel,
            closeAfter: head.headerFields[.connection]?.lowercased().contains("close") == true
        )
        run.begin(control: control)
    }
}

/// Tells a ``RequestDispatcher``, on its event loop, what its request's body stream wants.
struct BodyDelegate: NIOAsyncSequenceProducerDelegate {
    private let resume: @Sendable () -> Void
    private let abandon: @Sendable () -> Void

    init<Responder>(dispatcher: NIOLoopBound<RequestDispatcher<Responder>>) {
        resume = { dispatcher.eventLoop.execute { dispatcher.value.resumeReading() } }
        abandon = { dispatcher.eventLoop.execute { dispatcher.value.bodyAbandoned() } }
    }

    func produceMore() { resume() }
    func didTerminate() { abandon() }
}

/// One request, from dispatch to its written response: waits its turn (without a task), then runs
/// in a task of its own, cancelled if its client leaves.
final class RequestRun<Responder: HTTPResponder>: Sendable
where Responder.Context: RequestContext, Responder.Context.Source == ApplicationRequestContextSource {
    /// The request stays here only until its task starts: the connection's control keeps this run
    /// until the next request, and an idle connection should not keep the last request's head.
    private enum Phase {
        case dispatched(Request)
        case queued(Request, leave: @Sendable () -> Void)
        case starting
        case running(Task<Void, Never>)
        case cancelled
        case finished
    }

    private let server: RequestServer<Responder>
    private let channel: any Channel
    private let closeAfter: Bool
    private let phase: NIOLockedValueBox<Phase>

    init(server: RequestServer<Responder>, request: Request, channel: any Channel, closeAfter: Bool) {
        self.server = server
        self.channel = channel
        self.closeAfter = closeAfter
        self.phase = NIOLockedValueBox(.dispatched(request))
    }

    /// Registers with the connection's control, then starts the request or queues it for admission.
    func begin(control: ConnectionControl) {
        control.servingRequest { [self] in cancel() }
        guard let admission = server.admission else { return start(refusal: nil) }
        if case .cancelled = phase.withLockedValue({ $0 }) { return channel.close(promise: nil) }  // the client left already
        let leave = admission.admit { [self] refusal in start(refusal: refusal) }
        let leaveNow = phase.withLockedValue { phase -> Bool in
            switch phase {
            case .dispatched(let request):
                phase = .queued(request, leave: leave)
                return false
            case .cancelled: return true
            case .queued, .starting, .running, .finished: return false
            }
        }
        if leaveNow { leaveQueue(leave) }
    }

    /// The client left: the request leaves the queue, or its task is cancelled.
    private func cancel() {
        let previous = phase.withLockedValue { phase -> Phase in
            let previous = phase
            if case .finished = phase {} else { phase = .cancelled }
            return previous
        }
        switch previous {
        case .queued(_, let leave): leaveQueue(leave)
        case .running(let task): task.cancel()
        case .dispatched, .starting, .cancelled, .finished: break
        }
    }

    /// Leaves the admission queue (if still in it); the request never runs, so its connection
    /// closes unanswered.
    private func leaveQueue(_ leave: @Sendable () -> Void) {
        leave()
        channel.close(promise: nil)
    }

    private func start(refusal: APIError?) {
        let admitted = refusal == nil && server.admission != nil
        let request = phase.withLockedValue { phase -> Request? in
            switch phase {
            case .dispatched(let request), .queued(let request, _):
                phase = .starting
                return request
            case .starting, .running, .cancelled, .finished:
                return nil
            }
        }
        guard let request else {
            // The client left before its turn came.
            if admitted { server.admission?.finished() }
            return channel.close(promise: nil)
        }
        let task = Task { await serve(request, refusal: refusal, admitted: admitted) }
        let wasCancelled = phase.withLockedValue { phase -> Bool in
            if case .cancelled = phase { return true }
            phase = .running(task)
            return false
        }
        if wasCancelled { task.cancel() }
    }

    private func serve(_ request: Request, refusal: APIError?, admitted: Bool) async {
        defer {
            phase.withLockedValue { $0 = .finished }  // drops the task handle
            if admitted { server.admission?.finished() }
        }
        // No `hb.request.id`: `RequestIDMiddleware` tags the request's logger with `request_id`, the
        // id of its canonical log line.
        let logger = server.logger
        var response = await respond(to: request, logger: logger, refusal: refusal)
        response.headers[.date] = HTTPDate.now
        if closeAfter { response.headers[.connection] = "close" }
        let writer = ChannelResponseWriter(channel: channel, head: response.head, closeAfter: closeAfter)
        do {
            try await response.body.write(writer)
        } catch {
            logger.trace("Failed to write the response", metadata: ["error": "\(error)"])
            channel.close(promise: nil)
        }
    }

    private func respond(to request: Request, logger: Logger, refusal: APIError?) async -> Response {
        await withLogger(logger) { logger in
            let context = Responder.Context(source: .init(channel: channel, logger: logger))
            do {
                guard let refusal else { return try await server.responder.respond(to: request, context: context) }
                return try await Admission.$refusal.withValue(refusal) { try await server.responder.respond(to: request, context: context) }
            } catch {
                logger.debug("Unrecognised Error", metadata: ["error.type": "\(error)"])
                return Response(status: .internalServerError)
            }
        }
    }
}

/// Writes a response to its channel: the head and first body buffer go out with the end in one
/// event-loop hop when the body is a single buffer (the common case); longer bodies stream.
struct ChannelResponseWriter: ResponseBodyWriter {
    private let channel: any Channel
    private let closeAfter: Bool
    private var pending: [HTTPResponsePart]
    /// The first body buffer waits in `pending`, to go out with the end.
    private var holding = false

    init(channel: any Channel, head: HTTPResponse, closeAfter: Bool) {
        self.channel = channel
        self.closeAfter = closeAfter
        self.pending = [.head(head)]
        pending.reserveCapacity(3)  // head, body and end: one allocation per response
    }

    mutating func write(_ buffer: ByteBuffer) async throws {
        pending.append(.body(buffer))
        if pending.count == 2, !holding {
            holding = true
        } else {
            try await send()
        }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        pending.append(.end(trailingHeaders))
        try await send(closing: closeAfter)
    }

    private mutating func send(closing: Bool = false) async throws {
        let parts = pending
        pending = []
        try await channel.eventLoop.flatSubmit { [channel] in
            for part in parts.dropLast() { channel.write(part, promise: nil) }
            let written = channel.writeAndFlush(parts[parts.count - 1])
            if closing { written.whenComplete { _ in channel.close(promise: nil) } }
            return written
        }.get()
    }
}
