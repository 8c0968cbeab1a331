import NIOConcurrencyHelpers

/// Bounds how much work runs at once; past the bound, callers are refused at once instead of queueing.
///
/// Queues without a bound turn overload into ever-growing memory and latency for everyone; a
/// refused request gets a quick 503 with `Retry-After` and the server keeps serving the rest.
/// ```swift
/// let limiter = ConcurrencyLimiter(limit: 64)
/// let rows = try await limiter.run { try await database.query() }
/// ```
public final class ConcurrencyLimiter: Sendable {
    /// The most operations running at once.
    public let limit: Int
    private let running = NIOLockedValueBox(0)

    /// Creates a limiter admitting `limit` operations at once.
    public init(limit: Int) {
        self.limit = limit
    }

    /// How many operations are running now.
    public var current: Int { running.withLockedValue { $0 } }

    /// Runs `operation` if there is room, else throws 503 `service_unavailable` without running it.
    public func run<Result>(_ operation: () async throws -> Result) async throws -> Result {
        let admitted = running.withLockedValue { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else {
            throw APIError.serviceUnavailable(message: "The server is busy; retry shortly.")
        }
        defer { running.withLockedValue { $0 -= 1 } }
        return try await operation()
    }
}
