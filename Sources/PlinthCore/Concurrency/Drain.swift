import NIOConcurrencyHelpers

/// Whether the process is draining: told to stop, it answers its health checks with 503 so a load
/// balancer moves traffic away, and keeps serving until it stops accepting.
public final class Drain: Sendable {
    private let draining = NIOLockedValueBox(false)

    /// Creates a drain that has not begun.
    public init() {}

    /// Whether draining has begun.
    public var isDraining: Bool { draining.withLockedValue { $0 } }

    /// Begins draining; `false` when it had already begun.
    @discardableResult
    public func begin() -> Bool {
        draining.withLockedValue { draining in
            defer { draining = true }
            return !draining
        }
    }
}
