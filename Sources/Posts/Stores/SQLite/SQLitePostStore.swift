import Foundation
import GRDB
import Plinth

/// Posts in an embedded SQLite database (GRDB), the zero-setup default.
///
/// Files use a WAL `DatabasePool`: readers run concurrently with the single writer. GRDB runs
/// every statement on its own dispatch queues, so no SQLite call blocks an event loop.
/// `synchronous = FULL`: a write is acknowledged only after the WAL is on disk, so a 201 survives
/// a crash of the process or of the machine.
public final class SQLitePostStore: PostStore {
    /// Where the database lives.
    public enum Location: Sendable, Equatable {
        /// A file, created with its directory when missing.
        case file(String)
        /// A private in-memory database (tests).
        case memory
    }

    private let writer: any DatabaseWriter

    /// Opens (or creates) the database at `location`; call ``migrate()`` before use.
    public init(location: Location) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        switch location {
        case .memory:
            writer = try DatabaseQueue(configuration: configuration)
        case .file(let path):
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            writer = try DatabasePool(path: path, configuration: configuration)
        }
    }

    /// Applies pending migrations in one `BEGIN IMMEDIATE` transaction, recorded in `grdb_migrations`.
    ///
    /// GRDB's `DatabaseMigrator` reads the applied versions before it takes the write lock, so two
    /// processes starting at once on a fresh file could both try `CREATE TABLE`. Here the check and
    /// the changes happen under SQLite's write lock (waiting up to the 5 s busy timeout), like the
    /// PostgreSQL store's advisory lock. The table keeps the name and shape GRDB's migrator used,
    /// so files it created stay valid.
    public func migrate() async throws {
        try await writer.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
                for migration in Migration.all where !applied.contains(migration.id) {
                    for statement in migration.sqlite { try db.execute(sql: statement) }
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration.id])
                }
                return .commit
            }
        }
    }

    /// Runs the list query on a reader.
    public func list(_ query: PostListQuery) async throws -> [Post] {
        let sql = PostListSQL(query) { _, _ in "?" }
        let arguments = StatementArguments(sql.values.map(Self.databaseValue))
        let text = "SELECT \(Self.columns) FROM posts \(sql.condition) \(sql.orderAndLimit)"
        return try await writer.read { db in
            let statement = try db.cachedStatement(sql: text)
            var posts: [Post] = []
            posts.reserveCapacity(query.limit)
            let rows = try Row.fetchCursor(statement, arguments: arguments)
            while let row = try rows.next() { posts.append(try Self.post(from: row)) }
            return posts
        }
    }

    /// Reads one post.
    public func find(id: UUID) async throws -> Post? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM posts WHERE id = ?", arguments: [id.lowercasedString]).map(Self.post)
        }
    }

    /// Inserts one post.
    public func insert(_ post: Post) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO posts (id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                arguments: Self.arguments(post)
            )
        }
    }

    /// One `UPDATE ... RETURNING` statement; `COALESCE` keeps the fields not given. A precondition
    /// runs on the row read in the same write transaction: SQLite has one writer at a time, so no
    /// other write comes between the check and the update.
    public func update(id: UUID, title: String?, body: String?, updatedAt: Timestamp, precondition: WritePrecondition<Post>?) async throws -> Post? {
        try await write(id: id, precondition: precondition) { db in
            try Row.fetchOne(
                db,
                sql: """
                    UPDATE posts SET title = COALESCE(?, title), body = COALESCE(?, body), updated_at = ?
                    WHERE id = ? RETURNING \(Self.columns)
                    """,
                arguments: [title, body, updatedAt.iso8601, id.lowercasedString]
            ).map(Self.post)
        }
    }

    /// One `DELETE ... RETURNING` statement, after the precondition as for ``update``.
    public func delete(id: UUID, precondition: WritePrecondition<Post>?) async throws -> Post? {
        try await write(id: id, precondition: precondition) { db in
            try Row.fetchOne(db, sql: "DELETE FROM posts WHERE id = ? RETURNING \(Self.columns)", arguments: [id.lowercasedString])
                .map(Self.post)
        }
    }

    /// Runs `change` in an immediate write transaction, after `precondition` accepted the current
    /// post; `nil` without calling either when there is no such post.
    private func write(id: UUID, precondition: WritePrecondition<Post>?, _ change: @escaping @Sendable (GRDB.Database) throws -> Post?) async throws
        -> Post?
    {
        guard let precondition else { return try await writer.write(change) }
        return try await writer.writeWithoutTransaction { db in
            var result: Post?
            try db.inTransaction(.immediate) {
                let current = try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM posts WHERE id = ?", arguments: [id.lowercasedString])
                guard let current = try current.map(Self.post) else { return .commit }
                try precondition(current)
                result = try change(db)
                return .commit
            }
            return result
        }
    }

    /// Inserts or replaces by id in one transaction.
    public func upsert(_ posts: [Post]) async throws {
        try await writer.write { db in
            let statement = try db.makeStatement(
                sql: """
                    INSERT INTO posts (id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body,
                    created_at = excluded.created_at, updated_at = excluded.updated_at
                    """
            )
            for post in posts { try statement.execute(arguments: Self.arguments(post)) }
        }
    }

    /// Counts the posts.
    public func count() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM posts") ?? 0 }
    }

    /// Runs `SELECT 1`.
    public func checkHealth() async throws {
        _ = try await writer.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    private static let columns = "id, title, body, created_at, updated_at"

    private static func arguments(_ post: Post) -> StatementArguments {
        [post.id.lowercasedString, post.title, post.body, post.createdAt.iso8601, post.updatedAt.iso8601]
    }

    private static func databaseValue(_ value: PostListSQL.Value) -> DatabaseValue {
        switch value {
        case .timestamp(let timestamp): timestamp.iso8601.databaseValue
        case .uuid(let id): id.lowercasedString.databaseValue
        }
    }

    /// The one place a row becomes a model.
    private static func post(from row: Row) throws -> Post {
        let idText: String = row[0]
        let createdText: String = row[3]
        let updatedText: String = row[4]
        guard let id = UUID(canonical: idText), let createdAt = Timestamp(iso8601: createdText),
            let updatedAt = Timestamp(iso8601: updatedText)
        else { throw StoreError(.corrupt, "corrupt row in posts: id \(idText)") }
        return Post(id: id, title: row[1], body: row[2], createdAt: createdAt, updatedAt: updatedAt)
    }
}
