import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import PlinthCore
import Prometheus

/// Counts requests by method, route and status and records their latency, in a Prometheus registry.
///
/// Uses an explicit registry rather than the global `MetricsSystem`, so each application (and each
/// test) has its own. The route label is the route's signature (`/posts/{id}`), never the raw path,
/// so label cardinality stays bounded.
/// ```swift
/// router.add(middleware: RequestMetricsMiddleware(registry: registry))
/// ```
public struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Where the metrics go.
    public let registry: PrometheusCollectorRegistry
    /// The counter and histogram of each method, route and status, looked up by one string key
    /// rather than through the registry's descriptor and label-array lookup on every request.
    private let instruments = NIOLockedValueBox<[String: (Counter, DurationHistogram)]>([:])

    /// Latency buckets, 1 ms to 10 s.
    public static var buckets: [Duration] {
        [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
    }

    /// Creates the middleware.
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Times the rest of the chain.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, start: start)
            return response
        } catch {
            record(request, context, status: (error as? any HTTPResponseError)?.status.code ?? 500, start: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "NotFound"
        // Clients can send any method token; only standard ones become label values, so cardinality stays bounded.
        let method = standardHTTPMethods.contains(request.method) ? request.method.rawValue : "OTHER"
        let key = "\(method) \(status) \(route)"
        let (counter, histogram) = instruments.withLockedValue { instruments in
            if let existing = instruments[key] { return existing }
            let labels = [("method", method), ("route", route), ("status", String(status))]
            let made = (
                registry.makeCounter(descriptor: Self.requests, labels: labels),
                registry.makeDurationHistogram(descriptor: Self.duration, labels: labels, buckets: Self.buckets)
            )
            instruments[key] = made
            return made
        }
        counter.increment()
        histogram.record(elapsed)
    }

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "http_requests", unitName: "total", helpText: "HTTP requests by method, route and status.")
    }

    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request latency by method, route and status.")
    }
}

/// `GET /metrics`: the registry in Prometheus' text format.
public struct MetricsEndpoint<Context: RequestContext>: Sendable {
    /// The registry to expose.
    public let registry: PrometheusCollectorRegistry

    /// Creates the endpoint.
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Adds `GET /metrics` to `router`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/metrics") { _, _ in
            let body = ByteBuffer(bytes: registry.emitToBuffer())
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store", .eTag: ConditionalGET.etag(for: body),
                ],
                body: .init(byteBuffer: body)
            )
        }
    }
}

/// Methods counted by name; any other is counted as `OTHER`, so clients cannot grow the label set.
private let standardHTTPMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options, .trace, .connect]
