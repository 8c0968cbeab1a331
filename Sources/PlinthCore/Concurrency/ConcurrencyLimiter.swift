import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Runs at most `limit` operations at once, queues up to `queueLimit` more in arrival order for at
/// most `maxWait`, and refuses the rest at once.
///
/// The queue's bound also follows the measured throughput: while operations wait, the limiter
/// counts how many finish per second, and a newcomer that would wait longer than `maxWait` for its
/// turn (`waiting ≥ rate × maxWait`, with the best recent rate) is refused at once rather than after
/// `maxWait`. Until it has been saturated for `maxWait` it only applies `queueLimit`, so a burst
/// after a quiet spell queues.
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
        let deadline: NIODeadline
        /// `nil` once the waiter was admitted, refused or cancelled.
        var resume: Resume?
    }

    /// How a waiter is told its turn came: a suspended task, or a callback (``admit(_:)``).
    private enum Resume {
        case task(CheckedContinuation<Void, any Error>)
        case callback(@Sendable (_ refusal: APIError?) -> Void)

        func admit() {
            switch self {
            case .task(let continuation): continuation.resume()
            case .callback(let start): start(nil)
            }
        }

        func refuse() {
            switch self {
            case .task(let continuation): continuation.resume(throwing: ConcurrencyLimiter.busy)
            case .callback(let start): start(ConcurrencyLimiter.busy)
            }
        }

        /// The waiter left; a callback waiter is simply dropped.
        func cancel() {
            if case .task(let continuation) = self { continuation.resume(throwing: CancellationError()) }
        }
    }

    /// Waiters in arrival order, so in `id` and `deadline` order: cancelling finds one by binary
    /// search and expiry only looks at the head. (A timer per waiter, as before, left tens of
    /// thousands of timers behind after a c=10,000 burst and slowed the event loops for
    /// `maxWait`.)
    private struct State {
        var running = 0
        var waiters: [Waiter] = []
        var head = 0
        var waiting = 0
        var nextID: UInt64 = 0
        /// Operations finished, ever; sampled by the sweeper to measure throughput.
        var finished = 0
        var sample: (at: NIODeadline, finished: Int, saturated: Bool)?
        /// Operations finished per second while saturated (the best recent rate), once measured.
        var rate: Double?
        var saturatedSamples = 0
        /// The most waiters that `maxWait` can serve at `rate`.
        var waitBound = Int.max

        /// Drops finished entries from the front.
        mutating func compact() {
            while head < waiters.count, waiters[head].resume == nil { head += 1 }
            if head > 1024, head * 2 > waiters.count {
                waiters.removeFirst(head)
                head = 0
            }
        }
    }

    private let state = NIOLockedValueBox(State())
    private let sweeper: RepeatingTimer
    /// How many saturated sweeps make `maxWait` of saturation, after which the measured rate bounds the queue.
    private let warmUpSamples: Int

    /// Creates a limiter.
    public init(limit: Int, queueLimit: Int = 0, maxWait: TimeAmount = .seconds(5)) {
        self.limit = max(1, limit)
        self.queueLimit = max(0, queueLimit)
        self.maxWait = maxWait
        let interval = TimeAmount.nanoseconds(max(maxWait.nanoseconds / 20, 10_000_000))
        sweeper = RepeatingTimer(interval: interval)
        warmUpSamples = max(3, Int(maxWait.nanoseconds / interval.nanoseconds))
        sweeper.start { [weak self] in self?.expireOverdue() }
    }

    /// How many operations are running now.
    public var current: Int { state.withLockedValue { $0.running } }
    /// How many operations are waiting now.
    public var queued: Int { state.withLockedValue { $0.waiting } }
    /// The queue's current bound: `queueLimit`, or less once throughput says fewer can be served within `maxWait`.
    public var currentQueueLimit: Int { state.withLockedValue { min(queueLimit, $0.waitBound) } }

    /// Runs `operation` now, after waiting its turn, or throws 503 `service_unavailable` without running it.
    public func run<Result>(_ operation: () async throws -> Result) async throws -> Result {
        try Task.checkCancellation()  // a request whose client left runs nothing, even with a slot free
        try await acquire()
        defer { release() }
        return try await operation()
    }

    /// Admits an operation without a waiting task: calls `start` with `nil` now or when its turn
    /// comes, or with the 503 if the limiter refuses it. After `start(nil)` the caller runs the
    /// operation and then calls ``finished()``.
    ///
    /// Returns a closure that takes the operation out of the queue while it waits (`start` is then
    /// never called); it does nothing once `start` was called. Used by the HTTP/1 server channel, so
    /// a request waiting for its turn costs its parsed head and a queue entry, not a suspended task.
    public func admit(_ start: @escaping @Sendable (_ refusal: APIError?) -> Void) -> @Sendable () -> Void {
        let outcome = state.withLockedValue { join(&$0, .callback(start)) }
        switch outcome {
        case .now:
            start(nil)
            return {}
        case .refused:
            start(Self.busy)
            return {}
        case .queued(let id):
            return { [self] in abandon(id) }
        }
    }

    /// An operation ``admit(_:)`` started has finished: its slot goes to the next waiter.
    public func finished() {
        release()
    }

    private enum Outcome {
        case now
        case queued(UInt64)
        case refused
    }

    /// The one admission decision: a free slot with nobody waiting runs now; otherwise the waiter
    /// joins the queue, unless the queue is at its bound. Called under the state lock, so ids (and
    /// deadlines) increase along the queue and ``abandon(_:)`` finds a waiter by binary search.
    private func join(_ state: inout State, _ resume: Resume) -> Outcome {
        if state.running < limit, state.waiting == 0 {
            state.running += 1
            return .now
        }
        guard state.waiting < queueLimit, state.waiting < state.waitBound else { return .refused }
        state.nextID += 1
        state.waiters.append(Waiter(id: state.nextID, deadline: .now() + maxWait, resume: resume))
        state.waiting += 1
        return .queued(state.nextID)
    }

    private func acquire() async throws {
        // Fast path: a free slot, no suspension.
        let fast = state.withLockedValue { state -> Bool in
            guard state.running < limit, state.waiting == 0 else { return false }
            state.running += 1
            return true
        }
        if fast { return }
        let ticket = Ticket()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLockedValue { state -> Outcome? in
                    if ticket.cancelled { return nil }
                    let outcome = join(&state, .task(continuation))
                    if case .queued(let id) = outcome { ticket.id = id }
                    return outcome
                }
                switch outcome {
                case nil: continuation.resume(throwing: CancellationError())
                case .now: continuation.resume()
                case .refused: continuation.resume(throwing: Self.busy)
                case .queued: break
                }
            }
        } onCancel: {
            let id = state.withLockedValue { _ -> UInt64? in
                ticket.cancelled = true
                return ticket.id
            }
            if let id { abandon(id) }
        }
    }

    /// A waiter's place in the queue, read and written only under the state lock.
    private final class Ticket: @unchecked Sendable {
        var id: UInt64?
        var cancelled = false
    }

    /// Removes a waiter that has not been admitted yet and fails it with `CancellationError`.
    private func abandon(_ id: UInt64) {
        let waiter = state.withLockedValue { state -> Resume? in
            // Binary search: ids increase along the queue.
            var low = state.head
            var high = state.waiters.count
            while low < high {
                let middle = (low + high) / 2
                if state.waiters[middle].id < id { low = middle + 1 } else { high = middle }
            }
            guard low < state.waiters.count, state.waiters[low].id == id, let waiter = state.waiters[low].resume else {
                return nil
            }
            state.waiters[low].resume = nil
            state.waiting -= 1
            state.compact()
            return waiter
        }
        waiter?.cancel()
    }

    /// Refuses the waiters that have waited `maxWait` (the oldest, at the head of the queue) and
    /// updates the throughput estimate.
    private func expireOverdue() {
        let now = NIODeadline.now()
        let expired = state.withLockedValue { state -> [Resume] in
            measureThroughput(&state, now: now)
            var expired: [Resume] = []
            state.compact()
            while state.head < state.waiters.count, state.waiters[state.head].deadline <= now {
                if let waiter = state.waiters[state.head].resume {
                    expired.append(waiter)
                    state.waiting -= 1
                }
                state.waiters[state.head].resume = nil
                state.compact()
            }
            return expired
        }
        for waiter in expired { waiter.refuse() }
    }

    /// Samples throughput over the last sweep interval if operations waited throughout it (only
    /// then does the finish rate say what the limiter can serve).
    ///
    /// The estimate is the best recent rate, decaying by half over `maxWait` when throughput
    /// stays lower, and it applies only once the queue has been saturated for `maxWait` (by then
    /// every early waiter was served or expired, so the rate is the steady one). Measured at c=10,000 with
    /// the cache off: a smoothed rate taken from the first intervals, while thousands of
    /// connections were still being accepted, was a fraction of the steady one; the refusals it
    /// caused came straight back from closed-loop clients and took the CPU the admitted work
    /// needed, which lowered the rate further (11,800 responses/s, 99% of them 503s, against
    /// ~1,300 requests/s served with no refusal when waiting in turn). Applying the best rate after
    /// three intervals (1.5 s) still tipped into that spiral in 2 runs of 6 (~8,000 responses/s,
    /// ~90% of them 503s): the rate of the first seconds, while 10,000 connections were accepted,
    /// was still too low.
    private func measureThroughput(_ state: inout State, now: NIODeadline) {
        let saturated = state.waiting > 0
        if let sample = state.sample, sample.saturated, saturated {
            let seconds = Double((now - sample.at).nanoseconds) / 1e9
            if seconds > 0 {
                let measured = Double(state.finished - sample.finished) / seconds
                let decay = pow(0.5, seconds * 1e9 / Double(maxWait.nanoseconds))
                state.rate = max(measured, (state.rate ?? 0) * decay)
                state.saturatedSamples += 1
                if state.saturatedSamples >= warmUpSamples, let rate = state.rate {
                    state.waitBound = max(limit, Int(rate * Double(maxWait.nanoseconds) / 1e9))
                }
            }
        }
        state.sample = (now, state.finished, saturated)
    }

    /// Hands the slot to the next waiter, or frees it.
    private func release() {
        let next = state.withLockedValue { state -> Resume? in
            state.finished += 1
            state.compact()
            guard state.head < state.waiters.count, let waiter = state.waiters[state.head].resume else {
                state.running -= 1
                return nil
            }
            state.waiters[state.head].resume = nil
            state.waiting -= 1
            state.compact()
            return waiter
        }
        next?.admit()
    }

    fileprivate static var busy: APIError { APIError.serviceUnavailable(message: "The server is busy; retry shortly.") }
}
