import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Cancels a request's work after `timeout` and answers 503 `request_timeout`, as rack-timeout does.
///
/// The handler runs in a task that a timer cancels; the cancellation is awaited (database calls
/// are bounded by their own timeouts) before the 503 is returned. Runs inside
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
        let message = self.message
        return try await withoutActuallyEscaping(next) { next in
            // One task for the work and a NIO timer that cancels it: measured ~2x cheaper per request
            // than a task group racing the work against a sleeping child. The task is awaited below,
            // so `next` never outlives this call.
            let work = UncheckedSendableBox(next)
            let task = Task { try await work.value(request, context) }
            let timedOut = NIOLockedValueBox(false)
            let timer = NIOSingletons.posixEventLoopGroup.any().scheduleTask(in: timeAmount) {
                timedOut.withLockedValue { $0 = true }
                task.cancel()
            }
            let result = await withTaskCancellationHandler {
                await task.result
            } onCancel: {
                task.cancel()
            }
            timer.cancel()
            if timedOut.withLockedValue({ $0 }) { throw APIError(.requestTimedOut, message: message) }
            return try result.get()
        }
    }

    private var timeAmount: TimeAmount {
        .nanoseconds(timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
    }
}

/// Carries a value the compiler cannot prove `Sendable` into a child task that is awaited in scope.
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
