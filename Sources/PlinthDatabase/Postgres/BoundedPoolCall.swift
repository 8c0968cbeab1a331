import NIOConcurrencyHelpers
import NIOCore
import PlinthCore

/// Runs a body on a pooled resource and answers in bounded time, even if the body never returns.
///
/// PostgresNIO 1.33 can lose a query sent on a connection that closed an instant before: the
/// failed write is dropped, so the query neither completes nor reacts to cancellation. Seen when
/// PostgreSQL stopped under load: one request in two runs hung, holding its client connection
/// and SIGTERM's drain. Structured concurrency cannot leave such a child behind, so the lease and
/// the body run in a task of their own, and the caller waits for the first of:
/// - the body's result;
/// - the lease deadline, if no resource was leased by then (the pending lease is cancelled);
/// - the answer deadline, counted from the lease (a body past it is abandoned: it keeps its task,
///   and a PostgreSQL connection that closed leaves the pool, which opens a new one);
/// - the caller's cancellation (a leased body runs on to its end, then returns its resource).
enum BoundedPoolCall {
    /// Why a call gave up waiting.
    enum Timeout: Error, Equatable {
        /// No resource was leased within the lease timeout.
        case lease
        /// The body did not answer within the answer timeout.
        case answer
    }

    /// The deadlines of every call, checked every 50 ms (no NIO timer per call).
    static let deadlines = DeadlineSweeper(interval: .milliseconds(50))

    /// Leases a resource with `lease` and runs `body` on it, within the two deadlines.
    ///
    /// `lease` must call its argument at most once, with the leased resource, and return its
    /// result. `answerTimeout` `nil` lets the body run as long as it needs (migrations).
    static func run<Resource, Value: Sendable>(
        leaseTimeout: TimeAmount,
        answerTimeout: TimeAmount?,
        lease: @escaping @Sendable (_ use: @escaping @Sendable (Resource) async throws -> Value) async throws -> Value,
        body: @escaping @Sendable (Resource) async throws -> Value
    ) async throws -> Value {
        let call = Call<Value>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard call.begin(continuation) else { return }
                call.setDeadline(deadlines.register(deadline: .now() + leaseTimeout) { call.finish(.failure(Timeout.lease)) })
                call.setWorker(
                    Task {
                        do {
                            let value = try await lease { resource in
                                guard call.markLeased() else { throw CancellationError() }
                                if let answerTimeout {
                                    call.setDeadline(deadlines.register(deadline: .now() + answerTimeout) { call.finish(.failure(Timeout.answer)) })
                                }
                                return try await body(resource)
                            }
                            call.finish(.success(value))
                        } catch {
                            call.finish(.failure(error))
                        }
                    }
                )
            }
        } onCancel: {
            call.finish(.failure(CancellationError()))
        }
    }

    /// The state one call's parties share: the waiting caller, the pending deadline and the worker.
    private final class Call<Value: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Value, any Error>?
            var outcome: Result<Value, any Error>?
            var leased = false
            var deadline: UInt64?
            var worker: Task<Void, Never>?
        }

        private let state = NIOLockedValueBox(State())

        /// Stores the caller's continuation, or resumes it at once if the call already ended
        /// (cancelled before it began); `false` then.
        func begin(_ continuation: CheckedContinuation<Value, any Error>) -> Bool {
            let outcome = state.withLockedValue { state -> Result<Value, any Error>? in
                if state.outcome == nil { state.continuation = continuation }
                return state.outcome
            }
            guard let outcome else { return true }
            continuation.resume(with: outcome)
            return false
        }

        /// Replaces the pending deadline; drops `deadline` at once if the call already ended.
        func setDeadline(_ deadline: UInt64) {
            let stale = state.withLockedValue { state -> UInt64? in
                guard state.outcome == nil else { return deadline }
                defer { state.deadline = deadline }
                return state.deadline
            }
            if let stale { BoundedPoolCall.deadlines.unregister(stale) }
        }

        func setWorker(_ worker: Task<Void, Never>) {
            let ended = state.withLockedValue { state in
                state.worker = worker
                return state.outcome != nil
            }
            if ended { worker.cancel() }
        }

        /// Records the lease and cancels the lease deadline; `false` if the caller stopped
        /// waiting, so the body must not run.
        func markLeased() -> Bool {
            let (running, deadline) = state.withLockedValue { state -> (Bool, UInt64?) in
                guard state.outcome == nil else { return (false, nil) }
                state.leased = true
                defer { state.deadline = nil }
                return (true, state.deadline)
            }
            if let deadline { BoundedPoolCall.deadlines.unregister(deadline) }
            return running
        }

        /// Ends the call with `outcome` if it has not ended yet: resumes the caller, cancels the
        /// deadline, and cancels the worker (a pending lease leaves the pool's queue; a running body
        /// that ignores cancellation runs on).
        func finish(_ outcome: Result<Value, any Error>) {
            let ended = state.withLockedValue { state -> (CheckedContinuation<Value, any Error>?, UInt64?, Task<Void, Never>?)? in
                guard state.outcome == nil else { return nil }
                // A lease deadline that fires after the lease is not a timeout: the answer deadline now applies.
                if case .failure(let error as Timeout) = outcome, error == .lease, state.leased { return nil }
                state.outcome = outcome
                defer { (state.continuation, state.deadline) = (nil, nil) }
                return (state.continuation, state.deadline, state.worker)
            }
            guard let (continuation, deadline, worker) = ended else { return }
            if let deadline { BoundedPoolCall.deadlines.unregister(deadline) }
            if case .failure = outcome { worker?.cancel() }
            continuation?.resume(with: outcome)
        }
    }
}
