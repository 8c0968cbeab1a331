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
/// How many requests run at once is ``AdmissionMiddleware``'s business, further in.
public struct RequestTaskMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    /// Runs the rest of the chain in a new task, cancelled if the caller is.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestTask = RequestTask()
        return try await withoutActuallyEscaping(next) { next in
            // The task is awaited below, so `next` never outlives this call.
            let work = UncheckedSendableBox(next)
            let task = Task { try await RequestTask.$current.withValue(requestTask) { try await work.value(request, context) } }
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
