import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Hummingbird's HTTP/1 channel with Plinth's connection guard: head size limits answered with
/// JSON 414/431, a header-read timeout, and the work of a request cancelled when its client
/// goes away (requests run by ``RequestTaskMiddleware``).
///
/// ```swift
/// Application(router: router, server: .plinthHTTP1(limits: HTTPHeadLimits(), headerTimeout: .seconds(10)))
/// ```
public struct PlinthHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    /// The connection as the server hands it over: the async channel and its stop switch.
    public struct Value: ServerChildChannelValue {
        let asyncChannel: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>
        let control: ConnectionControl
        /// The connection's channel.
        public var channel: any Channel { asyncChannel.channel }
    }

    /// The application's responder.
    public var responder: HTTPChannelHandler.Responder { base.responder }

    private let base: HTTP1Channel
    private let limits: HTTPHeadLimits

    /// Creates the channel for `responder`.
    public init(responder: @escaping HTTPChannelHandler.Responder, limits: HTTPHeadLimits, headerTimeout: TimeAmount, idleTimeout: TimeAmount?) {
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

    /// Serves the connection's requests, with its ``ConnectionControl`` as the current one.
    public func handle(value: Value, logger: Logger) async {
        await ConnectionControl.$current.withValue(value.control) {
            await handleHTTP(asyncChannel: value.asyncChannel, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// An HTTP/1 server with Plinth's connection guard (see ``PlinthHTTP1Channel``).
    public static func plinthHTTP1(limits: HTTPHeadLimits = HTTPHeadLimits(), headerTimeout: TimeAmount, idleTimeout: TimeAmount?)
        -> HTTPServerBuilder
    {
        .init { responder in
            PlinthHTTP1Channel(responder: responder, limits: limits, headerTimeout: headerTimeout, idleTimeout: idleTimeout)
        }
    }
}
