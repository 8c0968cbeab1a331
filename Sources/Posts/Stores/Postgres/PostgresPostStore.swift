import Foundation
import Logging
import Plinth
import PostgresNIO
import ServiceLifecycle

/// Posts in PostgreSQL through PostgresNIO's pooled `PostgresClient`.
///
/// The client is a service: `buildApplication` runs it under the service group, so SIGTERM
/// closes it after the server has drained. Values reach SQL only as bound parameters.
public final class PostgresPostStore: PostStore {
    /// The pooled client; run it (it is a `Service`) before querying.
    public let client: PostgresClient
    private let logger: Logger

    /// Creates a store for `url` with at most `poolSize` connections.
    public init(url: PostgresURL, poolSize: Int, logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: url.host,
            port: url.port,
            username: url.user,
            password: url.password,
            database: url.database,
            tls: url.requireTLS ? .require(.makeClientConfiguration()) : .disable
        )
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = .seconds(3)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Applies pending migrations in one transaction under an advisory lock, so two instances
    /// starting at once apply each migration exactly once.
    public func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                logger: logger
            )
            var applied: Set<String> = []
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(String.self) {
                applied.insert(version)
            }
            for migration in Migration.all where !applied.contains(migration.id) {
                for statement in migration.postgres {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (version) VALUES (\(migration.id))", logger: logger)
                logger.info("applied migration", metadata: ["version": .string(migration.id)])
            }
        }
    }

    /// Runs the list query.
    public func list(_ query: PostListQuery) async throws -> [Post] {
        var binds = PostgresBindings()
        let sql = PostListSQL(query) { index, value in
            switch value {
            case .timestamp(let timestamp):
                binds.append(timestamp.iso8601)
                return "$\(index)::timestamptz"
            case .uuid(let id):
                binds.append(id)
                return "$\(index)"
            }
        }
        let text = "SELECT \(Self.columns) FROM posts \(sql.condition) \(sql.orderAndLimit)"
        let rows = try await client.query(PostgresQuery(unsafeSQL: text, binds: binds), logger: logger)
        var posts: [Post] = []
        posts.reserveCapacity(query.limit)
        for try await row in rows.decode(Row.self) { posts.append(Self.post(from: row)) }
        return posts
    }

    /// Reads one post.
    public func find(id: UUID) async throws -> Post? {
        try await first(client.query("SELECT \(unescaped: Self.columns) FROM posts WHERE id = \(id)", logger: logger))
    }

    /// Inserts one post.
    public func insert(_ post: Post) async throws {
        try await client.query(
            """
            INSERT INTO posts (id, title, body, created_at, updated_at)
            VALUES (\(post.id), \(post.title), \(post.body), \(post.createdAt.iso8601)::timestamptz, \(post.updatedAt.iso8601)::timestamptz)
            """,
            logger: logger
        )
    }

    /// One `UPDATE ... RETURNING` statement; `COALESCE` keeps the fields not given.
    public func update(id: UUID, title: String?, body: String?, updatedAt: Timestamp) async throws -> Post? {
        try await first(
            client.query(
                """
                UPDATE posts SET title = COALESCE(\(title)::text, title), body = COALESCE(\(body)::text, body),
                updated_at = \(updatedAt.iso8601)::timestamptz WHERE id = \(id) RETURNING \(unescaped: Self.columns)
                """,
                logger: logger
            )
        )
    }

    /// One `DELETE ... RETURNING` statement.
    public func delete(id: UUID) async throws -> Post? {
        try await first(client.query("DELETE FROM posts WHERE id = \(id) RETURNING \(unescaped: Self.columns)", logger: logger))
    }

    /// Inserts or replaces by id in one transaction.
    public func upsert(_ posts: [Post]) async throws {
        try await client.withTransaction(logger: logger) { connection in
            for post in posts {
                try await connection.query(
                    """
                    INSERT INTO posts (id, title, body, created_at, updated_at)
                    VALUES (\(post.id), \(post.title), \(post.body), \(post.createdAt.iso8601)::timestamptz, \(post.updatedAt.iso8601)::timestamptz)
                    ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body,
                    created_at = excluded.created_at, updated_at = excluded.updated_at
                    """,
                    logger: logger
                )
            }
        }
    }

    /// Counts the posts.
    public func count() async throws -> Int {
        for try await count in try await client.query("SELECT count(*)::int8 FROM posts", logger: logger).decode(Int.self) {
            return count
        }
        return 0
    }

    /// Runs `SELECT 1`.
    public func checkHealth() async throws {
        try await client.query("SELECT 1", logger: logger)
    }

    /// `pg_advisory_xact_lock` key for migrations ("posts" in ASCII).
    private static let migrationLockKey: Int64 = 0x706f_7374_73
    /// Timestamps come back as whole epoch seconds: cheaper to decode than `Date`, exact to the second.
    private static let columns =
        "id, title, body, floor(extract(epoch FROM created_at))::int8, floor(extract(epoch FROM updated_at))::int8"

    private typealias Row = (UUID, String, String, Int64, Int64)

    private func first(_ rows: PostgresRowSequence) async throws -> Post? {
        for try await row in rows.decode(Row.self) { return Self.post(from: row) }
        return nil
    }

    /// The one place a row becomes a model.
    private static func post(from row: Row) -> Post {
        Post(
            id: row.0,
            title: row.1,
            body: row.2,
            createdAt: Timestamp(secondsSince1970: row.3),
            updatedAt: Timestamp(secondsSince1970: row.4)
        )
    }
}
