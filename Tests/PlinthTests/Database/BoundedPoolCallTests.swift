import NIOConcurrencyHelpers
import NIOCore
import PlinthCore
import Testing

@testable import PlinthDatabase

/// `BoundedPoolCall` answers within its deadlines even when the lease or the body never does.
@Suite struct BoundedPoolCallTests {
    /// A wait that ignores cancellation until `open()`, like a query whose answer was lost.
    final class Gate: Sendable {
        private let state = NIOLockedValueBox<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

        func wait() async {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLockedValue { state in
                    if !state.open { state.waiters.append(continuation) }
                    return state.open
                }
                if resumeNow { continuation.resume() }
            }
        }

        func open() {
            let waiters = state.withLockedValue { state in
                state.open = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Leases the resource 7 at once and counts leases.
    static func immediateLease(count: NIOLockedValueBox<Int>) -> @Sendable (@escaping @Sendable (Int) async throws -> String) async throws -> String {
        { use in
            count.withLockedValue { $0 += 1 }
            return try await use(7)
        }
    }

    @Test func returnsTheBodysValue() async throws {
        let leases = NIOLockedValueBox(0)
        // Generous deadlines: at the start of the suite every test's task queues for Swift's pool,
        // and the worker's lease can wait seconds for a thread.
        let value = try await BoundedPoolCall.run(
            leaseTimeout: .seconds(30),
            answerTimeout: .seconds(30),
            lease: Self.immediateLease(count: leases),
            body: { resource in "resource \(resource)" }
        )
        #expect(value == "resource 7")
        #expect(leases.withLockedValue { $0 } == 1)
    }

    @Test func passesTheBodysErrorThrough() async throws {
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await BoundedPoolCall.run(
                leaseTimeout: .seconds(30),
                answerTimeout: .seconds(30),
                lease: Self.immediateLease(count: NIOLockedValueBox(0)),
                body: { _ in throw Refused() }
            )
        }
    }

    @Test func aLeaseThatNeverComesTimesOutAndIsCancelled() async throws {
        let leaseCancelled = NIOLockedValueBox(false)
        let bodyRan = NIOLockedValueBox(false)
        let start = ContinuousClock.now
        await #expect(throws: BoundedPoolCall.Timeout.lease) {
            try await BoundedPoolCall.run(
                leaseTimeout: .milliseconds(100),
                answerTimeout: .seconds(1),
                lease: { (use: @escaping @Sendable (Int) async throws -> String) in
                    do {
                        try await Task.sleep(for: .seconds(60))
                    } catch {
                        leaseCancelled.withLockedValue { $0 = true }
                        throw error
                    }
                    return try await use(1)
                },
                body: { _ in
                    bodyRan.withLockedValue { $0 = true }
                    return ""
                }
            )
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        // The pending lease is cancelled, so it leaves the pool's queue.
        for _ in 0..<100 where !leaseCancelled.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(leaseCancelled.withLockedValue { $0 })
        #expect(!bodyRan.withLockedValue { $0 })
    }

    @Test func aBodyThatNeverAnswersIsAbandonedAtTheAnswerDeadline() async throws {
        let gate = Gate()
        defer { gate.open() }
        let start = ContinuousClock.now
        await #expect(throws: BoundedPoolCall.Timeout.answer) {
            try await BoundedPoolCall.run(
                leaseTimeout: .seconds(5),
                answerTimeout: .milliseconds(300),
                lease: Self.immediateLease(count: NIOLockedValueBox(0)),
                body: { _ in
                    await gate.wait()
                    return "too late"
                }
            )
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(250))
        #expect(elapsed < .seconds(5))
    }

    @Test func aCancelledCallerStopsWaitingForAHungBody() async throws {
        let gate = Gate()
        defer { gate.open() }
        let leased = Gate()
        let call = Task {
            try await BoundedPoolCall.run(
                leaseTimeout: .seconds(10),
                answerTimeout: .seconds(60),
                lease: Self.immediateLease(count: NIOLockedValueBox(0)),
                body: { _ in
                    leased.open()
                    await gate.wait()
                    return "too late"
                }
            )
        }
        await leased.wait()
        let start = ContinuousClock.now
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func anUnboundedBodyMayOutliveTheLeaseTimeout() async throws {
        // The lease gets 5 s (the suite's start can keep the worker from a thread for seconds); the
        // body runs past that.
        let value = try await BoundedPoolCall.run(
            leaseTimeout: .seconds(5),
            answerTimeout: nil,
            lease: Self.immediateLease(count: NIOLockedValueBox(0)),
            body: { _ in
                try await Task.sleep(for: .milliseconds(6000))
                return "done"
            }
        )
        #expect(value == "done")
    }

    @Test func aCallCancelledBeforeItBeginsNeverLeases() async throws {
        let leases = NIOLockedValueBox(0)
        let call = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await BoundedPoolCall.run(
                leaseTimeout: .seconds(1),
                answerTimeout: .seconds(1),
                lease: Self.immediateLease(count: leases),
                body: { _ in "ran" }
            )
        }
        await #expect(throws: CancellationError.self) { try await call.value }
        try await Task.sleep(for: .milliseconds(50))
        #expect(leases.withLockedValue { $0 } == 0)
    }
}
