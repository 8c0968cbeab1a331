import Foundation
import Plinth

/// Where posts live. Every implementation passes the same contract suite.
public protocol PostStore: Sendable {
    /// Brings the schema up to date (versioned migrations, safe to run twice).
    func migrate() async throws
    /// The posts `query` selects, in its order.
    func list(_ query: PostListQuery) async throws -> [Post]
    /// The post with `id`, or `nil`.
    func find(id: UUID) async throws -> Post?
    /// Stores a new post.
    func insert(_ post: Post) async throws
    /// Changes the given fields and `updatedAt`; `nil` when there is no such post.
    ///
    /// With a `precondition`, the store reads the post and runs it inside the update's
    /// transaction, with the row locked, and writes only if it does not throw.
    func update(id: UUID, title: String?, body: String?, updatedAt: Timestamp, precondition: WritePrecondition<Post>?) async throws -> Post?
    /// Removes and returns the post with `id`, or `nil`; a `precondition` is checked as for ``update``.
    func delete(id: UUID, precondition: WritePrecondition<Post>?) async throws -> Post?
    /// Inserts or replaces `posts` by id, all in one transaction (the seed loader).
    func upsert(_ posts: [Post]) async throws
    /// How many posts there are.
    func count() async throws -> Int
    /// Throws when the database cannot answer.
    func checkHealth() async throws
}

extension PostStore {
    /// Changes the given fields and `updatedAt` in one statement; `nil` when there is no such post.
    public func update(id: UUID, title: String?, body: String?, updatedAt: Timestamp) async throws -> Post? {
        try await update(id: id, title: title, body: body, updatedAt: updatedAt, precondition: nil)
    }

    /// Removes and returns the post with `id`, or `nil`.
    public func delete(id: UUID) async throws -> Post? {
        try await delete(id: id, precondition: nil)
    }
}

/// The SQL a list query needs, written once for both stores.
///
/// Values are never spliced into the text: `placeholder` writes each bind marker (`?` or `$n::type`).
struct PostListSQL {
    /// A bound value and its kind.
    enum Value: Equatable {
        case timestamp(Timestamp)
        case uuid(UUID)
    }

    /// The `WHERE` condition (or empty) and the `ORDER BY ... LIMIT` tail.
    let condition: String
    let orderAndLimit: String
    let values: [Value]

    init(_ query: PostListQuery, placeholder: (_ index: Int, _ value: Value) -> String) {
        var values: [Value] = []
        func bind(_ value: Value) -> String {
            values.append(value)
            return placeholder(values.count, value)
        }
        let direction = query.descending ? "DESC" : "ASC"
        let after = query.descending ? "<" : ">"
        let before = query.descending ? ">" : "<"
        var conditions: [String] = []
        switch query.field {
        case .createdAt:
            if let start = query.start, let createdAt = start.createdAt {
                let comparison = after + (query.startExclusive ? "" : "=")
                if let id = start.id {
                    conditions.append("(created_at, id) \(comparison) (\(bind(.timestamp(createdAt))), \(bind(.uuid(id))))")
                } else {
                    conditions.append("created_at \(comparison) \(bind(.timestamp(createdAt)))")
                }
            }
            if let end = query.end?.createdAt {
                conditions.append("created_at \(before)= \(bind(.timestamp(end)))")
            }
            orderAndLimit = "ORDER BY created_at \(direction), id \(direction) LIMIT \(query.limit)"
        case .id:
            if let id = query.start?.id {
                conditions.append("id \(after)\(query.startExclusive ? "" : "=") \(bind(.uuid(id)))")
            }
            if let end = query.end?.id {
                conditions.append("id \(before)= \(bind(.uuid(end)))")
            }
            orderAndLimit = "ORDER BY id \(direction) LIMIT \(query.limit)"
        }
        condition = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        self.values = values
    }
}
