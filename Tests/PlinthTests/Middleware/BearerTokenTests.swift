import NIOConcurrencyHelpers
import PlinthCore
import Testing

@testable import Plinth

@Suite struct BearerTokenTests {
    @Test func constantTimeEqualsComparesWholeValues() {
        #expect(BearerToken.constantTimeEquals(Array("secret".utf8), Array("secret".utf8)))
        #expect(!BearerToken.constantTimeEquals(Array("secret".utf8), Array("secreT".utf8)))
        #expect(!BearerToken.constantTimeEquals(Array("secret".utf8), Array("secret2".utf8)))
        #expect(!BearerToken.constantTimeEquals(Array("".utf8), Array("x".utf8)))
        #expect(!BearerToken.constantTimeEquals(Array(repeating: 0, count: 256), Array(repeating: 0, count: 0)))
    }
}

@Suite struct ConcurrencyLimiterTests {
    @Test func refusesPastTheLimitAtOnceAndRecovers() async throws {
        let limiter = ConcurrencyLimiter(limit: 3)
        let gate = AsyncStream.makeStream(of: Void.self)
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    try await limiter.run {
                        for await _ in gate.stream { break }
                        return "ran"
                    }
                }
            }
            while limiter.current < 3 { await Task.yield() }
            // The fourth is refused immediately, not queued.
            await #expect(throws: APIError.self) { try await limiter.run { "never" } }
            for _ in 0..<3 { gate.continuation.yield() }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(results == ["ran", "ran", "ran"])
        #expect(limiter.current == 0)
        #expect(try await limiter.run { "again" } == "again")
    }

    @Test func queuesInArrivalOrderThenRefusesPastTheQueue() async throws {
        let limiter = ConcurrencyLimiter(limit: 1, queueLimit: 3, maxWait: .seconds(5))
        let order = NIOLockedValueBox<[Int]>([])
        let gate = AsyncStream.makeStream(of: Void.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await limiter.run {
                    for await _ in gate.stream { break }
                    order.withLockedValue { $0.append(0) }
                }
            }
            while limiter.current < 1 { await Task.yield() }
            for index in 1...3 {
                group.addTask { try await limiter.run { order.withLockedValue { $0.append(index) } } }
                while limiter.queued < index { await Task.yield() }
            }
            await #expect(throws: APIError.self) { try await limiter.run { "queue full" } }
            gate.continuation.yield()
            try await group.waitForAll()
        }
        #expect(order.withLockedValue { $0 } == [0, 1, 2, 3])
        #expect(limiter.current == 0 && limiter.queued == 0)
    }

    @Test func cancelledWaitersLeaveTheQueueAndCancelledTasksRunNothing() async throws {
        let limiter = ConcurrencyLimiter(limit: 1, queueLimit: 10, maxWait: .seconds(5))
        let order = NIOLockedValueBox<[Int]>([])
        let gate = AsyncStream.makeStream(of: Void.self)
        async let holder: Void = limiter.run { for await _ in gate.stream { break } }
        while limiter.current < 1 { await Task.yield() }
        var waiters: [Task<Void, any Error>] = []
        for index in 1...4 {
            waiters.append(Task { try await limiter.run { order.withLockedValue { $0.append(index) } } })
            while limiter.queued < index { await Task.yield() }
        }
        waiters[1].cancel()
        waiters[2].cancel()
        await #expect(throws: CancellationError.self) { try await waiters[1].value }
        #expect(limiter.queued == 2)
        gate.continuation.yield()
        try await holder
        try await waiters[0].value
        try await waiters[3].value
        #expect(order.withLockedValue { $0 } == [1, 4])
        let cancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await limiter.run { "ran anyway" }
        }
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(limiter.current == 0 && limiter.queued == 0)
    }

    /// Four callers running 20 ms operations back to back (~50 per second with `limit` 1) until `stop`.
    static func keepSaturated(
        _ limiter: ConcurrencyLimiter,
        until stop: NIOLockedValueBox<Bool>,
        in group: inout ThrowingTaskGroup<Void, any Error>
    ) {
        for _ in 0..<4 {
            group.addTask {
                while !stop.withLockedValue({ $0 }) {
                    _ = try? await limiter.run { try await Task.sleep(for: .milliseconds(20)) }
                }
            }
        }
    }

    @Test func theMeasuredBoundWaitsForMaxWaitOfSaturation() async throws {
        let limiter = ConcurrencyLimiter(limit: 1, queueLimit: 10_000, maxWait: .seconds(4))
        // Saturated for ~1 s of the 4 s: the rate of a burst's first seconds does not bound the queue yet.
        let stop = NIOLockedValueBox(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            Self.keepSaturated(limiter, until: stop, in: &group)
            try await Task.sleep(for: .seconds(1))
            #expect(limiter.currentQueueLimit == 10_000)
            stop.withLockedValue { $0 = true }
            try await group.waitForAll()
        }
    }

    @Test func onceSaturatedRefusesAtOnceWhoCouldNotBeServedWithinMaxWait() async throws {
        let limiter = ConcurrencyLimiter(limit: 1, queueLimit: 10_000, maxWait: .seconds(2))
        // A burst after a quiet spell queues: no throughput has been measured yet.
        #expect(limiter.currentQueueLimit == 10_000)
        // Keep it saturated with 20 ms operations (~50 per second) for a second.
        let stop = NIOLockedValueBox(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            Self.keepSaturated(limiter, until: stop, in: &group)
            let deadline = ContinuousClock.now + .seconds(10)
            while limiter.currentQueueLimit == 10_000, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            // About 50 per second × 2 s; far fewer than queueLimit, at least `limit`.
            let bound = limiter.currentQueueLimit
            #expect(bound >= 1 && bound < 1000)
            // Fill the queue to its bound; the next caller is refused without waiting `maxWait`.
            let gate = AsyncStream.makeStream(of: Void.self)
            stop.withLockedValue { $0 = true }
            while limiter.current > 0 || limiter.queued > 0 { try await Task.sleep(for: .milliseconds(5)) }
            // Idle now: the estimate stays as measured, and the holder gets the free slot at once.
            async let holder: Void = limiter.run { for await _ in gate.stream { break } }
            while limiter.current < 1 { await Task.yield() }
            // (While nothing finishes the bound only shrinks, so some of these may be refused too.)
            for _ in 0..<limiter.currentQueueLimit { group.addTask { _ = try? await limiter.run {} } }
            while limiter.queued < limiter.currentQueueLimit { await Task.yield() }
            let start = ContinuousClock.now
            await #expect(throws: APIError.self) { try await limiter.run { "past the bound" } }
            #expect(ContinuousClock.now - start < .seconds(1))
            gate.continuation.yield()
            try await holder
            try await group.waitForAll()
        }
        #expect(limiter.current == 0 && limiter.queued == 0)
    }

    @Test func waitersGiveUpAfterMaxWait() async throws {
        let limiter = ConcurrencyLimiter(limit: 1, queueLimit: 10, maxWait: .milliseconds(100))
        let gate = AsyncStream.makeStream(of: Void.self)
        async let holder: Void = limiter.run { for await _ in gate.stream { break } }
        while limiter.current < 1 { await Task.yield() }
        let start = ContinuousClock.now
        await #expect(throws: APIError.self) { try await limiter.run { "too late" } }
        #expect(ContinuousClock.now - start < .seconds(3))
        gate.continuation.yield()
        try await holder
        #expect(try await limiter.run { "free again" } == "free again")
    }
}
