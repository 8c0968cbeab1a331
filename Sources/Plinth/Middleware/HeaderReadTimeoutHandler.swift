import NIOCore

/// Closes a connection whose first request head has not fully arrived within `timeout`.
///
/// Clients that connect and say nothing, or trickle their headers a byte at a time, otherwise hold
/// a connection (and a file descriptor) for as long as they like. The HTTP decoder passes a request
/// head on only once all its header lines are in, so the first read marks the end of the header
/// phase. Later requests on a kept-alive connection are bounded by the server's idle timeout.
/// Added after HTTP decoding through Hummingbird's `additionalChannelHandlers`.
public final class HeaderReadTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    /// Parts pass through untouched.
    public typealias InboundIn = NIOAny

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var headReceived = false

    /// Creates a handler for one connection.
    public init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    /// Starts the clock if the connection is already active.
    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startTimer(context) }
    }

    /// Starts the clock when the connection becomes active.
    public func channelActive(context: ChannelHandlerContext) {
        startTimer(context)
        context.fireChannelActive()
    }

    /// The first part is a complete request head: stop the clock.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !headReceived {
            headReceived = true
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    /// Stops the clock.
    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    private func startTimer(_ context: ChannelHandlerContext) {
        guard timer == nil, !headReceived else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            context.close(promise: nil)
        }
    }
}
