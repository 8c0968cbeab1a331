import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Cancels a request's work after `timeout` and answers 503 `request_timeout`, as rack-timeout does.
///
/// Under ``RequestTaskMiddleware`` (the outermost middleware), a NIO timer cancels the request's
/// task; the cancellation is awaited (database calls are bounded by their own timeouts), then the
/// 503 is thrown to ``RescueErrorsMiddleware`` and passes the outer middleware like any error.
/// Without it, the middleware runs the rest of the chain in a task of its own.
/// ```swift
/// router.add(middleware: RequestTaskMiddleware())  // first
/// ...
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
        self.timeAmount = .milliseconds(Int64(seconds * 1000))
        let shown = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
        self.message = "Request timed out after \(shown) second\(seconds == 1 ? "" : "s")."
        self.deadlines = DeadlineSweeper(interval: .milliseconds(max(10, min(100, Int64(seconds * 100)))))
    }

    /// Runs the chain against the clock.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let requestTask = RequestTask.current else { return try await handleInOwnTask(request, context: context, next: next) }
        let entry = deadlines.register(requestTask, deadline: .now() + timeAmount)
        do {
            let response = try await next(request, context)
            deadlines.unregister(entry)
            return response
        } catch {
            deadlines.unregister(entry)
            if requestTask.timedOut { throw APIError(.requestTimedOut, message: message) }
            throw error
        }
    }

    private func handleInOwnTask(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let message = self.message
        return try await withoutActuallyEscaping(next) { next in
            // The task is awaited below, so `next` never outlives this call.
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

}

/// Times out the requests registered with it, checked by one repeating timer every `interval`.
///
/// A NIO timer per request, scheduled and cancelled from Swift's threads, costs a lock and often
/// an event-loop wake-up each way; with at most a few hundred requests running, one sweep over
/// them per `interval` is cheaper. Deadlines are kept to within `interval`.
final class DeadlineSweeper: Sendable {
    private struct State {
        var nextID: UInt64 = 0
        var entries: [UInt64: (deadline: NIODeadline, task: RequestTask)] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let sweeper = NIOLockedValueBox<RepeatedTask?>(nil)

    init(interval: TimeAmount) {
        let task = NIOSingletons.posixEventLoopGroup.any().scheduleRepeatedTask(initialDelay: interval, delay: interval) { [weak self] _ in
            self?.sweep()
        }
        sweeper.withLockedValue { $0 = task }
    }

    deinit {
        sweeper.withLockedValue { $0?.cancel() }
    }

    func register(_ task: RequestTask, deadline: NIODeadline) -> UInt64 {
        state.withLockedValue { state in
            state.nextID += 1
            state.entries[state.nextID] = (deadline, task)
            return state.nextID
        }
    }

    func unregister(_ id: UInt64) {
        _ = state.withLockedValue { $0.entries.removeValue(forKey: id) }
    }

    private func sweep() {
        let now = NIODeadline.now()
        let overdue = state.withLockedValue { state -> [RequestTask] in
            let ids = state.entries.compactMap { $0.value.deadline <= now ? $0.key : nil }
            return ids.compactMap { state.entries.removeValue(forKey: $0)?.task }
        }
        for task in overdue { task.timeOut() }
    }
}

/// Carries a value the compiler cannot prove `Sendable` into a child task that is awaited in scope.
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
