import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Runs at most `limit` operations at once, queues up to `queueLimit` more in arrival order for at
/// most `maxWait`, and refuses the rest at once.
///
/// Measured on the uncached `GET /posts` at c=1,000: refusing everything past a bound at once made
/// clients retry immediately, and the CPU spent on refusals starved the admitted work (successful
/// responses fell from ~1,800/s to ~90/s). Waiting in a bounded queue keeps the database busy with
/// at most `limit` calls (no pile-up in the pool or on GRDB's threads) and serves closed-loop
/// clients in turn; the bound still turns real overload into quick 503s with `Retry-After`.
/// ```swift
/// let limiter = ConcurrencyLimiter(limit: 8, queueLimit: 4096, maxWait: .seconds(5))
/// let rows = try await limiter.run { try await database.query() }
/// ```
public final class ConcurrencyLimiter: Sendable {
    /// The most operations running at once.
    public let limit: Int
    /// The most operations waiting for a turn.
    public let queueLimit: Int
    /// The longest an operation waits for a turn before it is refused.
    public let maxWait: TimeAmount

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var running = 0
        var waiters: [Waiter] = []
        var head = 0
        var nextID: UInt64 = 0
        var waiting: Int { waiters.count - head }
    }

    private let state = NIOLockedValueBox(State())

    /// Creates a limiter.
    public init(limit: Int, queueLimit: Int = 0, maxWait: TimeAmount = .seconds(5)) {
        self.limit = max(1, limit)
        self.queueLimit = max(0, queueLimit)
        self.maxWait = maxWait
    }

    /// How many operations are running now.
    public var current: Int { state.withLockedValue { $0.running } }
    /// How many operations are waiting now.
    public var queued: Int { state.withLockedValue { $0.waiting } }

    /// Runs `operation` now, after waiting its turn, or throws 503 `service_unavailable` without running it.
    public func run<Result>(_ operation: () async throws -> Result) async throws -> Result {
        try await acquire()
        defer { release() }
        return try await operation()
    }

    private enum Admission {
        case now
        case queued(UInt64)
        case refused
    }

    private func acquire() async throws {
        // Fast path: a free slot, no suspension.
        let fast = state.withLockedValue { state -> Bool in
            guard state.running < limit, state.waiting == 0 else { return false }
            state.running += 1
            return true
        }
        if fast { return }
        let id = state.withLockedValue { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let admission = state.withLockedValue { state -> Admission in
                    if state.running < limit, state.waiting == 0 {
                        state.running += 1
                        return .now
                    }
                    guard state.waiting < queueLimit else { return .refused }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .queued(id)
                }
                switch admission {
                case .now: continuation.resume()
                case .refused: continuation.resume(throwing: Self.busy)
                case .queued:
                    NIOSingletons.posixEventLoopGroup.any().scheduleTask(in: maxWait) { [weak self] in
                        self?.abandon(id, error: Self.busy)
                    }
                }
            }
        } onCancel: {
            abandon(id, error: CancellationError())
        }
    }

    /// Removes a waiter that has not been admitted yet and fails it.
    private func abandon(_ id: UInt64, error: any Error) {
        let continuation = state.withLockedValue { state -> CheckedContinuation<Void, any Error>? in
            guard let index = state.waiters[state.head...].firstIndex(where: { $0.id == id }) else { return nil }
            let waiter = state.waiters.remove(at: index)
            return waiter.continuation
        }
        continuation?.resume(throwing: error)
    }

    /// Hands the slot to the next waiter, or frees it.
    private func release() {
        let next = state.withLockedValue { state -> CheckedContinuation<Void, any Error>? in
            guard state.waiting > 0 else {
                state.running -= 1
                return nil
            }
            let waiter = state.waiters[state.head]
            state.head += 1
            if state.head > 1024, state.head * 2 > state.waiters.count {
                state.waiters.removeFirst(state.head)
                state.head = 0
            }
            return waiter.continuation
        }
        next?.resume()
    }

    private static var busy: APIError { APIError.serviceUnavailable(message: "The server is busy; retry shortly.") }
}
