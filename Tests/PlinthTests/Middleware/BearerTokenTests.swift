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
}
