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
///   `headerTimeout` (the decoder passes a head on only once all its lines are in). Later requests
///   on a kept-alive connection are bounded by the server's idle timeout.
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
    private var timer: Scheduled<Void>?
    private var headReceived = false
    private var pendingResponses = 0

    /// Creates a guard for one connection.
    public init(limits: HTTPHeadLimits, headerTimeout: TimeAmount, control: ConnectionControl = ConnectionControl()) {
        self.limits = limits
        self.headerTimeout = headerTimeout
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
        if case .head = unwrapInboundIn(data) {
            pendingResponses += 1
            if !headReceived {
                headReceived = true
                cancelTimer()
            }
        }
        context.fireChannelRead(data)
    }

    /// The client closed its side: nobody will read what the request in progress produces.
    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { control.stop() }
        context.fireUserInboundEventTriggered(event)
    }

    /// A response's end closes its pending request.
    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { pendingResponses -= 1 }
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

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}
