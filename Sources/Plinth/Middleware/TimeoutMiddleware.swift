import Hummingbird

/// Cancels a request's work after `timeout` and answers 503 `request_timeout`, as rack-timeout does.
///
/// The handler runs in a child task; when the timer wins, the child is cancelled and its
/// cancellation awaited (database calls are bounded by their own timeouts). Runs inside
/// ``RescueErrorsMiddleware`` so the 503 is rendered as JSON and logged.
/// ```swift
/// if config.timeout > 0 { router.add(middleware: TimeoutMiddleware(seconds: config.timeout)) }
/// ```
public struct TimeoutMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The longest a request may take.
    public let timeout: Duration
    private let message: String

    /// Creates the middleware for a timeout in seconds (above 0).
    public init(seconds: Double) {
        self.timeout = .milliseconds(Int64(seconds * 1000))
        let shown = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
        self.message = "Request timed out after \(shown) second\(seconds == 1 ? "" : "s")."
    }

    /// Runs the chain against the clock.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let (timeout, message) = (self.timeout, self.message)
        return try await withoutActuallyEscaping(next) { next in
            // The group awaits the child before returning, so `next` never outlives this call.
            let work = UncheckedSendableBox(next)
            return try await withThrowingTaskGroup(of: Response.self) { group in
                group.addTask { try await work.value(request, context) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw APIError(.requestTimedOut, message: message)
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        }
    }
}

/// Carries a value the compiler cannot prove `Sendable` into a child task that is awaited in scope.
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
