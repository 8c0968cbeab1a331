import Hummingbird
import NIOCore

/// Lets at most `limit` requests run at once; the rest wait their turn in arrival order, and past
/// the bound get 503 `service_unavailable` with `Retry-After` at once.
///
/// A 2-core server gains nothing from interleaving thousands of requests, but each running one
/// holds its memory: at c=10,000 peak RSS was ~530 MB with every request running. The queue holds
/// `queueLimit` requests, each for at most `maxWait`, and no more than the measured throughput can
/// serve within `maxWait` (see ``ConcurrencyLimiter``). A request whose client leaves while it
/// waits leaves the queue (see ``RequestTaskMiddleware``).
///
/// Add it right after ``RequestTaskMiddleware``, before everything else: a waiting request then
/// holds nothing but its task. (Measured, c=10,000 with the cache off on PostgreSQL: waiting
/// behind CORS, request id, metrics, log line and RescueErrors cost ~12 KB more per waiting
/// request, peak RSS 455 MB against 333 MB.) A refused request still goes through the rest of the
/// stack: it runs with ``Admission/refusal`` set, and ``RescueErrorsMiddleware`` answers it with
/// the 503, so the refusal gets CORS headers, a request id, a log line and metrics like any error.
/// ```swift
/// router.add(middleware: RequestTaskMiddleware())
/// router.add(middleware: AdmissionMiddleware(limit: 256, maxWait: .seconds(10)))
/// ```
public struct AdmissionMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The bound.
    public let limiter: ConcurrencyLimiter

    /// Creates the middleware.
    public init(limit: Int = 256, queueLimit: Int = 65536, maxWait: TimeAmount = .seconds(30)) {
        self.limiter = ConcurrencyLimiter(limit: limit, queueLimit: queueLimit, maxWait: maxWait)
    }

    /// Runs the rest of the chain once admitted, or with ``Admission/refusal`` set if refused.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await limiter.run {
            try await next(request, context)
        } ifRefused: { refusal in
            try await Admission.$refusal.withValue(refusal) { try await next(request, context) }
        }
    }
}

/// What ``AdmissionMiddleware`` tells the rest of the stack.
public enum Admission {
    /// The 503 for a request the admission refused; ``RescueErrorsMiddleware`` answers with it
    /// instead of running the inner chain.
    @TaskLocal public static var refusal: APIError?
}
