import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PlinthCore

/// Cancels a request's work after `timeout` and answers 503 `request_timeout`, as rack-timeout does.
///
/// The rest of the chain runs in a task of its own, which the timeout cancels; deadlines are
/// checked by a ``DeadlineSweeper`` (to within min(timeout/10, 100 ms)), not a timer per request.
/// The cancellation is awaited (database calls are bounded by their own timeouts), then the 503 is
/// thrown to ``RescueErrorsMiddleware`` and passes the outer middleware like any error. (Cancelling
/// the request's own task instead would also cancel the writing of the 503: NIO's async writer
/// refuses writes from a cancelled task.)
/// ```swift
/// if config.timeout > 0 { router.add(middleware: TimeoutMiddleware(seconds: config.timeout)) }  // after RescueErrors
/// ```
public struct TimeoutMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The longest a request may take.
    public let timeout: Duration
    private let message: String
    private let timeAmount: TimeAmount
    private let deadlines: DeadlineSweeper

    /// Creates the middleware for a timeout in seconds (above 0).
    public init(seconds: Double) {
        self.timeout = .milliseconds(Int64(seconds * 1000))
        self.timeAmount = TimeAmount(timeout)
        let shown = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
        self.message = "Request timed out after \(shown) second\(seconds == 1 ? "" : "s")."
        self.deadlines = DeadlineSweeper(interval: .milliseconds(max(10, min(100, Int64(seconds * 100)))))
    }

    /// Runs the chain against the clock.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let message = self.message
        return try await withoutActuallyEscaping(next) { next in
            // The task is awaited below, so `next` never outlives this call.
            let work = UncheckedSendableBox(next)
            let task = Task { try await work.value(request, context) }
            let timedOut = NIOLockedValueBox(false)
            let entry = deadlines.register(deadline: .now() + timeAmount) {
                timedOut.withLockedValue { $0 = true }
                task.cancel()
            }
            let result = await withTaskCancellationHandler {
                await task.result
            } onCancel: {
                task.cancel()
            }
            deadlines.unregister(entry)
            if timedOut.withLockedValue({ $0 }) { throw APIError(.requestTimedOut, message: message) }
            return try result.get()
        }
    }
}

/// Carries a value the compiler cannot prove `Sendable` into a child task that is awaited in scope.
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
