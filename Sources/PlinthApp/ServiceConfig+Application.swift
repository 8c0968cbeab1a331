import Hummingbird
import Logging
import NIOCore
import PlinthCore
import PlinthServer
import ServiceLifecycle

extension ServiceConfig {
    /// The HTTP server every Plinth app runs, serving `responder` with `services` beside it.
    ///
    /// SwiftNIO's HTTP/1 served from the event loop, a task per request (not per connection), head
    /// limits (414/431 JSON), `HEADER_TIMEOUT`, and the work of a request cancelled when its client
    /// leaves. At most `MAX_CONCURRENT_REQUESTS` run at once; the rest wait in turn, up to `TIMEOUT`,
    /// without a task; past `MAX_WAITING_REQUESTS` a quick 503, answered by the responder's error
    /// middleware so it gets CORS and a log line.
    /// ```swift
    /// let router = Router(context: AppRequestContext.self)
    /// return config.application(responder: router.buildResponder(), services: database.services, logger: logger)
    /// ```
    public func application<Responder: HTTPResponder>(
        responder: Responder,
        services: [any Service],
        logger: Logger
    ) -> some ApplicationProtocol where Responder.Context: RequestContext, Responder.Context.Source == ApplicationRequestContextSource {
        Application(
            responder: responder,
            server: .plinthHTTP1(
                responder: responder,
                headerTimeout: .milliseconds(Int64(headerTimeout * 1000)),
                idleTimeout: .seconds(60),
                admission: ConcurrencyLimiter(
                    limit: maxConcurrentRequests,
                    queueLimit: maxWaitingRequests,
                    maxWait: .milliseconds(Int64((timeout > 0 ? timeout : 30) * 1000))
                )
            ),
            configuration: .init(address: .hostname(host, port: port), serverName: nil, backlog: backlog),
            services: services,
            onServerRunning: { channel in
                // Hummingbird leaves SwiftNIO's default of 4 accepts per event-loop tick on the listening
                // socket; under load new connections then wait seconds in the kernel queue (measured: c=1,000
                // p99 ~4.4 s). Accept them in big batches instead, as Vapor does (256).
                try? await channel.setOption(ChannelOptions.maxMessagesPerRead, value: 4096).get()
            },
            logger: logger
        )
    }
}
