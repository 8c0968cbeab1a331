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
            control: control,
            closeAfter: head.headerFields[.connection]?.lowercased().contains("close") == true
        )
        run.begin()
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
