import Foundation
import PlinthCore
import PlinthDatabase

/// Where comments live: their SQL and their one row-mapping function, on the app's ``Database``.
public struct CommentStore: Sendable {
    /// The database.
    public let database: Database

    /// Creates the store.
    public init(database: Database) {
        self.database = database
    }

    /// The comments of post `postID` that `query` selects; `nil` when there is no such post.
    public func list(postID: UUID, _ query: ListQuery) async throws -> [Comment]? {
        let comments = try await database.query(
            "comments.list", "SELECT \(unescaped: Self.columns) FROM comments " + query.sql(scope: "post_id = \(postID)"), map: Self.comment)
        if !comments.isEmpty { return comments }
        return try await database.first("comments.post", "SELECT 1 FROM posts WHERE id = \(postID)") { try $0.int() } == nil ? nil : []
    }

    /// The comment with `id`, or `nil`.
    public func find(id: UUID) async throws -> Comment? {
        try await database.first("comments.find", "SELECT \(unescaped: Self.columns) FROM comments WHERE id = \(id)", map: Self.comment)
    }

    /// Stores `comment` if its post exists, in one statement; `false` when it does not.
    public func insert(_ comment: Comment) async throws -> Bool {
        let inserted = try await database.write(
            "comments.insert",
            """
            INSERT INTO comments (id, post_id, author, body, created_at, updated_at)
            SELECT \(comment.id), \(comment.postID), \(comment.author), \(comment.body), \(comment.createdAt), \(comment.updatedAt)
            WHERE EXISTS (SELECT 1 FROM posts WHERE id = \(comment.postID)) RETURNING id
            """
        ) { try $0.uuid() }
        return !inserted.isEmpty
    }

    /// Changes the given fields and `updatedAt`; `nil` when there is no such comment.
    public func update(
        id: UUID, author: String?, body: String?, updatedAt: Timestamp, precondition: WritePrecondition<Comment>? = nil
    ) async throws -> Comment? {
        try await database.write(
            "comments.update",
            """
            UPDATE comments SET author = COALESCE(\(author), author), body = COALESCE(\(body), body), updated_at = \(updatedAt)
            WHERE id = \(id) RETURNING \(unescaped: Self.columns)
            """,
            lockingFirst: "SELECT \(unescaped: Self.columns) FROM comments WHERE id = \(id)", precondition: precondition, map: Self.comment)
    }

    /// Removes and returns the comment with `id`, or `nil`.
    public func delete(id: UUID, precondition: WritePrecondition<Comment>? = nil) async throws -> Comment? {
        try await database.write(
            "comments.delete", "DELETE FROM comments WHERE id = \(id) RETURNING \(unescaped: Self.columns)",
            lockingFirst: "SELECT \(unescaped: Self.columns) FROM comments WHERE id = \(id)", precondition: precondition, map: Self.comment)
    }

    static let columns = "id, post_id, author, body, created_at, updated_at"

    /// The one place a row becomes a model.
    @Sendable static func comment(_ row: inout SQLRow) throws -> Comment {
        Comment(
            id: try row.uuid(), postID: try row.uuid(), author: try row.text(), body: try row.text(), createdAt: try row.timestamp(),
            updatedAt: try row.timestamp())
    }
}
