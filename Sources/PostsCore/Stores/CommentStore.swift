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

    /// Folds the comments of post `postID` that `query` selects into `state`, each read in place;
    /// `nil` when there is no such post.
    public func list<State: Sendable>(
        postID: UUID, _ query: ListQuery, into state: State, _ step: @escaping @Sendable (inout State, CommentRow) throws -> Void
    ) async throws -> State? {
        let sql = "SELECT \(unescaped: Self.columns) FROM comments " + query.sql(scope: "post_id = \(postID)")
        let (result, found) = try await database.read("comments.list", sql, into: (state, false)) {
            try step(&$0.0, try Self.row(&$1))
            $0.1 = true
        }
        if found { return result }
        return try await database.first("comments.post", "SELECT 1 FROM posts WHERE id = \(postID)") { try $0.int() } == nil ? nil : result
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

    @Sendable static func comment(_ row: inout SQLRow) throws -> Comment { Comment(try Self.row(&row)) }

    /// The one place a row is mapped, in ``columns``' order.
    static func row(_ row: inout SQLRow) throws -> CommentRow {
        CommentRow(
            id: try row.uuid(), postID: try row.uuid(), author: try row.textView(), body: try row.textView(), createdAt: try row.timestamp(),
            updatedAt: try row.timestamp())
    }
}

/// A comment's row read in place, valid only inside the step it is handed to.
public struct CommentRow: CommentFields {
    public let id: UUID, postID: UUID, author: SQLText, body: SQLText, createdAt: Timestamp, updatedAt: Timestamp
}

extension Comment {
    /// A copy of `row` as a model.
    public init(_ row: CommentRow) {
        self.init(
            id: row.id, postID: row.postID, author: row.author.string, body: row.body.string, createdAt: row.createdAt, updatedAt: row.updatedAt)
    }
}
