import Hummingbird
import NIOCore

/// Lets at most `limit` requests run at once; the rest wait their turn in arrival order, and past
/// the bound get 503 `service_unavailable` with `Retry-After` at once.
///
/// A 2-core server gains nothing from interleaving thousands of requests, but each running one
/// holds its memory: at c=10,000 peak RSS was ~530 MB with every request running. The queue holds
/// `queueLimit` requests, each for at most `maxWait`, and no more than the measured throughput can
/// serve within `maxWait` (see ``ConcurrencyLimiter``). Add it after ``RescueErrorsMiddleware``, so
/// a refusal gets CORS headers, a request id and a log line like any error, and before
/// ``TimeoutMiddleware``, whose clock starts once the request runs. A request whose client leaves
/// while it waits leaves the queue (see ``RequestTaskMiddleware``).
/// ```swift
/// router.add(middleware: AdmissionMiddleware(limit: 256, maxWait: .seconds(10)))
/// ```
public struct AdmissionMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The bound.
    public let limiter: ConcurrencyLimiter

    /// Creates the middleware.
    public init(limit: Int = 256, queueLimit: Int = 65536, maxWait: TimeAmount = .seconds(30)) {
        self.limiter = ConcurrencyLimiter(limit: limit, queueLimit: queueLimit, maxWait: maxWait)
    }

    /// Runs the rest of the chain once admitted.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await limiter.run { try await next(request, context) }
    }
}
