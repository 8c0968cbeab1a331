import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// Runs each request in a task of its own; add it first.
///
/// Three reasons. ``TimeoutMiddleware`` cancels the request's work by cancelling this task, with
/// no task of its own; under ``PlinthHTTP1Channel`` the task is cancelled when the client goes
/// away (see ``ConnectionControl``). And a Swift task keeps the memory its deepest call chain
/// needed until it ends: run in the connection's task, the middleware chain's frames stayed with
/// every kept-alive connection (measured: 23 KB per connection after one `GET /posts`, 11 KB
/// with this middleware; 5,000 connections, release build).
///
/// At most `limit` requests run at once; the rest wait their turn in arrival order before the
/// middleware chain runs. A 2-core server gains nothing from interleaving thousands of requests,
/// but each running one holds its memory: at c=10,000 peak RSS was ~530 MB with every request
/// running. The queue holds `queueLimit`, each for up to `maxWait`; beyond that, 503
/// `service_unavailable` with `Retry-After`.
public struct RequestTaskMiddleware<Context: RequestContext>: RouterMiddleware {
    private let limiter: ConcurrencyLimiter

    /// Creates the middleware.
    public init(limit: Int = 256, queueLimit: Int = 65536, maxWait: TimeAmount = .seconds(30)) {
        self.limiter = ConcurrencyLimiter(limit: limit, queueLimit: queueLimit, maxWait: maxWait)
    }

    /// Runs the rest of the chain in a new task, cancelled if the caller is.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestTask = RequestTask()
        let limiter = self.limiter
        return try await withoutActuallyEscaping(next) { next in
            // The task is awaited below, so `next` never outlives this call. It waits for its turn
            // itself, so a client that leaves while queued is dropped from the queue at once.
            let work = UncheckedSendableBox(next)
            let task = Task {
                try await limiter.run { try await RequestTask.$current.withValue(requestTask) { try await work.value(request, context) } }
            }
            requestTask.attach(task)
            let connection = ConnectionControl.current
            connection?.servingRequest { task.cancel() }
            defer { connection?.requestFinished() }
            return try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                task.cancel()
            }
        }
    }
}

/// The task ``RequestTaskMiddleware`` runs a request in, for ``TimeoutMiddleware`` to cancel.
public final class RequestTask: Sendable {
    /// The request task the current code runs in, if any.
    @TaskLocal public static var current: RequestTask?

    private struct State {
        var task: Task<Response, any Error>?
        var timedOut = false
    }

    private let state = NIOLockedValueBox(State())

    init() {}

    /// Whether ``timeOut()`` was called.
    public var timedOut: Bool { state.withLockedValue { $0.timedOut } }

    /// Marks the request timed out and cancels its task.
    public func timeOut() {
        let task = state.withLockedValue { state in
            state.timedOut = true
            return state.task
        }
        task?.cancel()
    }

    fileprivate func attach(_ task: Task<Response, any Error>) {
        let cancel = state.withLockedValue { state in
            state.task = task
            return state.timedOut
        }
        if cancel { task.cancel() }
    }
}
