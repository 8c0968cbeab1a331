import Foundation
import PlinthCore
import PlinthDatabase

/// Where posts live: their SQL and the one function that maps a row to a ``Post``, on the app's
/// one ``Database`` (SQLite or PostgreSQL, the same statements for both).
public struct PostStore: Sendable {
    /// The database.
    public let database: Database

    /// Creates the store.
    public init(database: Database) {
        self.database = database
    }

    /// The posts `query` selects, in its order.
    public func list(_ query: ListQuery) async throws -> [Post] {
        try await list(query, into: []) { $0.append(Post($1)) }
    }

    /// Folds the posts `query` selects into `state`, in order, each read in place (no ``Post`` per row).
    public func list<State: Sendable>(
        _ query: ListQuery,
        into state: State,
        _ step: @escaping @Sendable (inout State, PostRow) throws -> Void
    ) async throws -> State {
        try await database.read("posts.list", "SELECT \(unescaped: Self.columns) FROM posts " + query.sql(), into: state) {
            try step(&$0, try Self.row(&$1))
        }
    }

    /// The post with `id`, or `nil`.
    public func find(id: UUID) async throws -> Post? {
        try await database.first("posts.find", "SELECT \(unescaped: Self.columns) FROM posts WHERE id = \(id)", map: Self.post)
    }

    /// Stores a new post.
    public func insert(_ post: Post) async throws {
        try await database.execute("posts.insert", Self.insertion(post))
    }

    /// Changes the given fields and `updatedAt` in one statement (`COALESCE` keeps the others);
    /// `nil` when there is no such post. A `precondition` sees the current post first, atomically.
    public func update(
        id: UUID,
        title: String?,
        body: String?,
        updatedAt: Timestamp,
        precondition: WritePrecondition<Post>? = nil
    ) async throws -> Post? {
        try await database.write(
            "posts.update",
            """
            UPDATE posts SET title = COALESCE(\(title), title), body = COALESCE(\(body), body), updated_at = \(updatedAt)
            WHERE id = \(id) RETURNING \(unescaped: Self.columns)
            """,
            lockingFirst: "SELECT \(unescaped: Self.columns) FROM posts WHERE id = \(id)",
            precondition: precondition,
            map: Self.post
        )
    }

    /// Removes and returns the post with `id` (its comments go with it), or `nil`.
    public func delete(id: UUID, precondition: WritePrecondition<Post>? = nil) async throws -> Post? {
        try await database.write(
            "posts.delete",
            "DELETE FROM posts WHERE id = \(id) RETURNING \(unescaped: Self.columns)",
            lockingFirst: "SELECT \(unescaped: Self.columns) FROM posts WHERE id = \(id)",
            precondition: precondition,
            map: Self.post
        )
    }

    /// Inserts or replaces `posts` by id, in one transaction (the seed loader).
    ///
    /// One statement per 500 posts: a statement per post made PostgreSQL seed ~2,000 posts/s, a round
    /// trip each. A statement may not change a row twice, so within one only the last post of an id counts.
    public func upsert(_ posts: [Post]) async throws {
        let replace: SQL = """
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body,
            created_at = excluded.created_at, updated_at = excluded.updated_at
            """
        let statements = stride(from: 0, to: posts.count, by: 500).map { start in
            var last: [UUID: Int] = [:]
            let chunk = posts[start..<min(start + 500, posts.count)]
            for (index, post) in zip(chunk.indices, chunk) { last[post.id] = index }
            var sql: SQL = "INSERT INTO posts (id, title, body, created_at, updated_at) VALUES "
            var separator: SQL = ""
            for (index, post) in zip(chunk.indices, chunk) where last[post.id] == index {
                sql.append(separator)
                separator = ", "
                sql.append("(\(post.id), \(post.title), \(post.body), \(post.createdAt), \(post.updatedAt))")
            }
            return sql + replace
        }
        try await database.batch("posts.upsert", statements)
    }

    /// How many posts there are.
    public func count() async throws -> Int {
        try await database.first("posts.count", "SELECT count(*) FROM posts") { try $0.int() } ?? 0
    }

    /// The columns, in ``post(_:)``'s order.
    static let columns = "id, title, body, created_at, updated_at"

    /// A row as a model.
    @Sendable static func post(_ row: inout SQLRow) throws -> Post {
        Post(try Self.row(&row))
    }

    /// The one place a row is mapped, in ``columns``' order.
    static func row(_ row: inout SQLRow) throws -> PostRow {
        PostRow(
            id: try row.uuid(), title: try row.textView(), body: try row.textView(), createdAt: try row.timestamp(), updatedAt: try row.timestamp())
    }

    private static func insertion(_ post: Post) -> SQL {
        """
        INSERT INTO posts (id, title, body, created_at, updated_at)
        VALUES (\(post.id), \(post.title), \(post.body), \(post.createdAt), \(post.updatedAt))
        """
    }
}

/// A post's row read in place, valid only inside the step of ``PostStore/list(_:into:_:)`` it is handed to.
public struct PostRow: PostFields {
    /// The post's UUID.
    public let id: UUID
    /// The title.
    public let title: SQLText
    /// The body.
    public let body: SQLText
    /// When it was created.
    public let createdAt: Timestamp
    /// When it last changed.
    public let updatedAt: Timestamp
}

extension Post {
    /// A copy of `row` as a model.
    public init(_ row: PostRow) {
        self.init(id: row.id, title: row.title.string, body: row.body.string, createdAt: row.createdAt, updatedAt: row.updatedAt)
    }
}
