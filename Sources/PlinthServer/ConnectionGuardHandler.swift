import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Plinth
import PlinthCore

/// Watches one HTTP/1 connection from just after HTTP decoding, for the things no request handler
/// can see:
///
/// - **Header-read timeout.** A client that connects and says nothing, or trickles its headers a
///   byte at a time, is cut off when its first request head has not fully arrived within
///   `headerTimeout` (the decoder passes a head on only once all its lines are in).
/// - **Idle timeout.** After that, a connection with no request in progress is closed once nothing
///   was read or answered on it for `idleTimeout`. One timer per connection, moved only when it
///   fires (as Hummingbird's `HTTPConnectionStateHandler` does; a handler of its own would cost an
///   idle connection another handler and context). A graceful shutdown's quiescing is SwiftNIO's
///   `HTTPServerPipelineHandler`'s.
/// - **Malformed or oversized heads** get a JSON error and `Connection: close` instead of
///   Hummingbird's empty 400: a request line longer than the URI limit → 414
///   `request_uri_too_long`, a header field or all of them over their limits → 431
///   `request_header_fields_too_large`, anything else the parser rejects → 400 `bad_request`.
///   (The parser reports every size overflow alike; ``RequestLineProbe`` tells the request line
///   apart.) Only when no response is under way; otherwise the connection is just closed.
/// - **Client gone.** When the client closes its side or the connection drops, ``control`` is
///   stopped, which cancels the request in progress (``RequestRun``).
public final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    /// Stopped when the client goes away or the connection closes.
    public let control: ConnectionControl
    /// Set by ``RequestLineProbe`` when a request line exceeded the URI limit.
    var sawOverlongRequestLine = false

    private let limits: HTTPHeadLimits
    private let headerTimeout: TimeAmount
    private let idleTimeout: TimeAmount?
    /// The header clock until the first head arrives, then the idle clock.
    private var timer: Scheduled<Void>?
    private var headReceived = false
    private var requestBeingRead = false
    private var lastActive = NIODeadline.uptimeNanoseconds(0)
    private var pendingResponses = 0

    /// Creates a guard for one connection; with `idleTimeout` nil, kept-alive connections wait for
    /// their next request for as long as the client keeps them.
    public init(
        limits: HTTPHeadLimits, headerTimeout: TimeAmount, idleTimeout: TimeAmount? = nil, control: ConnectionControl = ConnectionControl()
    ) {
        self.limits = limits
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.control = control
    }

    /// Starts the header clock if the connection is already active.
    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startTimer(context) }
    }

    /// Stops the clock and throws the switch: the connection is going away.
    public func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
        control.stop()
    }

    /// Starts the header clock when the connection becomes active.
    public func channelActive(context: ChannelHandlerContext) {
        startTimer(context)
        context.fireChannelActive()
    }

    /// The connection is gone.
    public func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        control.stop()
        context.fireChannelInactive()
    }

    /// A request head stops the header clock and opens a pending response.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActive = context.eventLoop.now
        switch unwrapInboundIn(data) {
        case .head:
            pendingResponses += 1
            requestBeingRead = true
            if !headReceived {
                headReceived = true
                cancelTimer()
                startIdleTimer(context)
            }
        case .body: break
        case .end: requestBeingRead = false
        }
        context.fireChannelRead(data)
    }

    /// The client closed its side: nobody will read what the request in progress produces.
    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { control.stop() }
        context.fireUserInboundEventTriggered(event)
    }

    /// A response's end closes its pending request and restarts the idle clock.
    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            pendingResponses -= 1
            lastActive = context.eventLoop.now
            if pendingResponses == 0 { startIdleTimer(context) }  // only if it rang during the response
        }
        context.write(data, promise: promise)
    }

    /// Answers parse errors between requests with a JSON error, then closes.
    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parseError = error as? HTTPParserError, pendingResponses == 0 else {
            context.fireErrorCaught(error)
            return
        }
        cancelTimer()
        let apiError: APIError
        switch parseError {
        case .headerOverflow where sawOverlongRequestLine:
            apiError = APIError(.requestURITooLong, message: "The request URI is longer than \(limits.maxURIBytes) bytes.")
        case .headerOverflow:
            apiError = APIError(
                .requestHeaderFieldsTooLarge,
                message:
                    "Request headers must be at most \(limits.maxFieldBytes) bytes per field, \(limits.maxTotalBytes) bytes in all, and \(limits.maxFieldCount) fields."
            )
        default:
            apiError = APIError(.badRequest, message: "The request is not valid HTTP/1.1.")
        }
        var fields = apiError.responseHeaders
        let body = apiError.body(allocator: context.channel.allocator)
        fields[.contentLength] = String(body.readableBytes)
        fields[.connection] = "close"
        fields[.requestID] = UUID.random().lowercasedString
        pendingResponses = 1  // nothing else may be written on this connection
        context.write(wrapOutboundOut(.head(HTTPResponse(status: apiError.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    private func startTimer(_ context: ChannelHandlerContext) {
        guard timer == nil, !headReceived else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: headerTimeout) {
            context.close(promise: nil)
        }
    }

    private func startIdleTimer(_ context: ChannelHandlerContext) {
        guard let idleTimeout, timer == nil else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: lastActive + idleTimeout) { [self] in
            timer = nil
            idleClockRang(context, idleTimeout: idleTimeout)
        }
    }

    /// Closes the connection if it was idle for the whole timeout; otherwise sets the clock again
    /// for the rest of it, or leaves it to the end of the response under way.
    private func idleClockRang(_ context: ChannelHandlerContext, idleTimeout: TimeAmount) {
        guard context.channel.isActive, pendingResponses == 0 || requestBeingRead else { return }
        if context.eventLoop.now < lastActive + idleTimeout {
            startIdleTimer(context)
        } else {
            context.close(promise: nil)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}
