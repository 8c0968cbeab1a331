import Foundation
import NIOCore
import Plinth

/// A store that runs at most `limit` calls at once, queues a bounded number more, and refuses the
/// rest with a quick 503.
///
/// The database pool queued every caller without bound under overload (c=10,000 with the cache
/// off), and GRDB parked a thread per waiting read; this keeps the database at `limit` calls and the
/// wait bounded in length and time.
public struct LimitedPostStore: PostStore {
    /// The store limited.
    public let base: any PostStore
    /// The bound.
    public let limiter: ConcurrencyLimiter

    /// Wraps `base`: `limit` calls at once, `queueLimit` waiting, each for at most `maxWait`.
    public init(_ base: any PostStore, limit: Int, queueLimit: Int, maxWait: TimeAmount = .seconds(5)) {
        self.base = base
        self.limiter = ConcurrencyLimiter(limit: limit, queueLimit: queueLimit, maxWait: maxWait)
    }

    // Migrations and seeding run before serving, outside the bound.
    public func migrate() async throws { try await base.migrate() }
    public func list(_ query: PostListQuery) async throws -> [Post] { try await limiter.run { try await base.list(query) } }
    public func find(id: UUID) async throws -> Post? { try await limiter.run { try await base.find(id: id) } }
    public func insert(_ post: Post) async throws { try await limiter.run { try await base.insert(post) } }
    public func update(id: UUID, title: String?, body: String?, updatedAt: Timestamp, precondition: WritePrecondition<Post>?) async throws -> Post? {
        try await limiter.run { try await base.update(id: id, title: title, body: body, updatedAt: updatedAt, precondition: precondition) }
    }
    public func delete(id: UUID, precondition: WritePrecondition<Post>?) async throws -> Post? {
        try await limiter.run { try await base.delete(id: id, precondition: precondition) }
    }
    public func upsert(_ posts: [Post]) async throws { try await base.upsert(posts) }
    public func count() async throws -> Int { try await limiter.run { try await base.count() } }
    // Health checks are never refused: a busy server is still a healthy one.
    public func checkHealth() async throws { try await base.checkHealth() }
}
