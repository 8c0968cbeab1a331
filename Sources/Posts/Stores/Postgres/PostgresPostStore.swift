import Foundation
import Logging
import NIOConcurrencyHelpers
import Plinth
import PostgresNIO
import ServiceLifecycle

/// Posts in PostgreSQL through PostgresNIO's pooled `PostgresClient`.
///
/// The client is a service: `buildApplication` runs it under the service group, so SIGTERM
/// closes it after the server has drained. Values reach SQL only as bound parameters.
///
/// Failures are bounded: a connection must be leased within ``leaseTimeout`` (so requests get a
/// quick 503 while PostgreSQL is down, and work again as soon as it is back, with no restart), and
/// each statement within `statementTimeout` (PostgreSQL's `statement_timeout`, Pliny's
/// `DATABASE_TIMEOUT`).
public final class PostgresPostStore: PostStore {
    /// The pooled client; run it (it is a `Service`) before querying.
    public let client: PostgresClient
    private let logger: Logger
    private let url: PostgresURL
    private let statementTimeout: Duration
    /// Set when a lease timed out and cleared by the next success: while PostgreSQL is known to be
    /// down, requests wait only ``shortLeaseTimeout`` before their 503.
    private let knownDown = NIOLockedValueBox(false)

    /// How long a request waits for a pooled connection before answering 503.
    public static let leaseTimeout: Duration = .seconds(2)
    /// The wait while the database is known to be unreachable.
    public static let shortLeaseTimeout: Duration = .milliseconds(200)
    /// How long past the statement timeout a leased call may go unanswered before it is abandoned
    /// with a 503 (PostgreSQL answers a timed-out statement itself; this covers a lost answer).
    public static let answerGrace: Duration = .seconds(1)

    /// How many store calls may run at once on a pool of `poolSize` connections: twice as many, so
    /// that under load a released connection goes straight to a waiting call instead of idling
    /// (each time a connection idles, PostgresNIO's pool starts an idle timer, see `init`).
    public static func callLimit(poolSize: Int) -> Int { 2 * poolSize }

    /// Creates a store for `url` with at most `poolSize` connections.
    public init(url: PostgresURL, poolSize: Int, statementTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(1), logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: url.host,
            port: url.port,
            username: url.user,
            password: url.password,
            database: url.database,
            tls: url.requireTLS ? .require(.makeClientConfiguration()) : .disable
        )
        configuration.options.maximumConnections = poolSize
        // No keep-alive timer. Each time a connection goes idle in the pool, PostgresNIO schedules a
        // keep-alive timer (30 s) and an idle timer (60 s) and cancels them on the next lease, but a
        // cancelled `Task.sleep` keeps its task and dispatch timer until its deadline. Measured at
        // c=10,000 with the cache off: ~90,000 such timers pending, ~60 MB that stayed long after
        // the load. A connection that died is refused when leased (`BoundedPoolCall`) and replaced.
        // The idle timer stays (`minimumConnections` = the pool size would avoid it, but
        // PostgresNIO 1.33 then traps when a lease comes while fewer connections are open, as at
        // start or after PostgreSQL restarts); `callLimit` keeps connections from going idle under load,
        // and a short idle timeout (`DB_IDLE_TIMEOUT`, 1 s) bounds how long the timers that remain pin
        // memory. Measured at c=10,000 with the cache off, RSS 2 s after the load: 66 MB with 10 s,
        // 49 MB with 1 s (idle 38 MB). The cost: a connection idle for 1 s is closed, and the next
        // burst opens it again (a few milliseconds on a local server).
        configuration.options.keepAliveBehavior = nil
        configuration.options.connectionIdleTimeout = idleTimeout
        configuration.options.connectTimeout = .seconds(3)
        let milliseconds = statementTimeout.components.seconds * 1000 + statementTimeout.components.attoseconds / 1_000_000_000_000_000
        configuration.options.additionalStartupParameters = [("statement_timeout", String(milliseconds))]
        // PostgresNIO reports every failed reconnection attempt at info; `probe()` says it once instead.
        var backgroundLogger = logger
        backgroundLogger.logLevel = max(logger.logLevel, .warning)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: backgroundLogger)
        self.logger = logger
        self.url = url
        self.statementTimeout = statementTimeout
    }

    /// Applies pending migrations in one transaction under an advisory lock, so two instances
    /// starting at once apply each migration exactly once.
    public func migrate() async throws {
        try await withConnection(unbounded: true) { connection, logger in
            try await connection.withTransaction(logger: logger) { connection in
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
        let statement = PostgresQuery(unsafeSQL: text, binds: binds)
        return try await withConnection { connection, logger in
            let rows = try await connection.query(statement, logger: logger)
            var posts: [Post] = []
            posts.reserveCapacity(query.limit)
            for try await row in rows { posts.append(try Self.post(from: row)) }
            return posts
        }
    }

    /// Reads one post.
    public func find(id: UUID) async throws -> Post? {
        try await first("SELECT \(unescaped: Self.columns) FROM posts WHERE id = \(id)")
    }

    /// Inserts one post.
    public func insert(_ post: Post) async throws {
        let statement: PostgresQuery = """
            INSERT INTO posts (id, title, body, created_at, updated_at)
            VALUES (\(post.id), \(post.title), \(post.body), \(post.createdAt.iso8601)::timestamptz, \(post.updatedAt.iso8601)::timestamptz)
            """
        try await withConnection { connection, logger in _ = try await connection.query(statement, logger: logger) }
    }

    /// One `UPDATE ... RETURNING` statement; `COALESCE` keeps the fields not given. A precondition
    /// runs on the row read `FOR UPDATE` in the same transaction, so no other write can come
    /// between the check and the update.
    public func update(id: UUID, title: String?, body: String?, updatedAt: Timestamp, precondition: WritePrecondition<Post>?) async throws -> Post? {
        try await write(
            id: id,
            precondition: precondition,
            """
            UPDATE posts SET title = COALESCE(\(title)::text, title), body = COALESCE(\(body)::text, body),
            updated_at = \(updatedAt.iso8601)::timestamptz WHERE id = \(id) RETURNING \(unescaped: Self.columns)
            """
        )
    }

    /// One `DELETE ... RETURNING` statement, after the precondition as for ``update``.
    public func delete(id: UUID, precondition: WritePrecondition<Post>?) async throws -> Post? {
        try await write(id: id, precondition: precondition, "DELETE FROM posts WHERE id = \(id) RETURNING \(unescaped: Self.columns)")
    }

    /// Runs `change` alone, or with a precondition in a transaction that locks the row first.
    private func write(id: UUID, precondition: WritePrecondition<Post>?, _ change: PostgresQuery) async throws -> Post? {
        guard let precondition else { return try await first(change) }
        return try await withConnection { connection, logger in
            try await connection.withTransaction(logger: logger) { connection in
                let rows = try await connection.query("SELECT \(unescaped: Self.columns) FROM posts WHERE id = \(id) FOR UPDATE", logger: logger)
                var current: Post?
                for try await row in rows { current = try Self.post(from: row) }
                guard let current else { return nil }
                try precondition(current)
                for try await row in try await connection.query(change, logger: logger) { return try Self.post(from: row) }
                return nil
            }
        }
    }

    /// Inserts or replaces by id in one transaction.
    public func upsert(_ posts: [Post]) async throws {
        try await withConnection(unbounded: true) { connection, logger in
            try await connection.withTransaction(logger: logger) { connection in
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
    }

    /// Counts the posts.
    public func count() async throws -> Int {
        try await withConnection { connection, logger in
            for try await count in try await connection.query("SELECT count(*)::int8 FROM posts", logger: logger).decode(Int.self) {
                return count
            }
            return 0
        }
    }

    /// Runs `SELECT 1`.
    public func checkHealth() async throws {
        try await withConnection { connection, logger in _ = try await connection.query("SELECT 1", logger: logger) }
    }

    /// `pg_advisory_xact_lock` key for migrations ("posts" in ASCII).
    private static let migrationLockKey: Int64 = 0x706f_7374_73
    /// The columns, in ``post(from:)``'s order. Timestamps come back in their binary form and are
    /// converted here: `extract(epoch ...)` computes in `numeric` on the server, which cost it more
    /// than sending the rows.
    private static let columns = "id, title, body, created_at, updated_at"

    private func first(_ statement: PostgresQuery) async throws -> Post? {
        try await withConnection { connection, logger in
            for try await row in try await connection.query(statement, logger: logger) { return try Self.post(from: row) }
            return nil
        }
    }

    /// Runs `body` on a pooled connection, waiting at most ``leaseTimeout`` for one and, once
    /// leased, at most `answerTimeout` for the answer; maps connection failures and timeouts to
    /// ``StoreError`` (503). Requests' single statements use the default, the statement timeout
    /// plus ``answerGrace``; migrations and seeding, several statements each, are `unbounded`. See
    /// ``BoundedPoolCall`` for why a body that never answers is abandoned rather than awaited.
    private func withConnection<Result: Sendable>(
        unbounded: Bool = false,
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) async throws -> Result {
        let (client, logger, knownDown) = (self.client, self.logger, self.knownDown)
        let leaseTimeout = knownDown.withLockedValue { $0 } ? Self.shortLeaseTimeout : Self.leaseTimeout
        let answerTimeout = unbounded ? nil : statementTimeout + Self.answerGrace
        do {
            let value = try await BoundedPoolCall.run(
                leaseTimeout: TimeAmount(leaseTimeout),
                answerTimeout: answerTimeout.map(TimeAmount.init),
                lease: { use in try await client.withConnection(use) },
                body: { connection in
                    // A connection that closed after its last query may still be handed out; PostgresNIO
                    // would lose a query sent on it (see BoundedPoolCall).
                    guard !connection.isClosed else { throw StoreError(.unavailable, "pooled PostgreSQL connection already closed") }
                    return try await body(connection, logger)
                }
            )
            knownDown.withLockedValue { $0 = false }
            return value
        } catch BoundedPoolCall.Timeout.lease {
            knownDown.withLockedValue { $0 = true }
            throw StoreError(.unavailable, "no PostgreSQL connection within \(leaseTimeout)")
        } catch BoundedPoolCall.Timeout.answer {
            throw StoreError(.unavailable, "no answer from PostgreSQL within \(answerTimeout ?? .zero); call abandoned")
        } catch {
            throw Self.storeError(error)
        }
    }

    /// Opens one connection outside the pool and returns why it failed, or `nil` when it works.
    ///
    /// The pool retries silently; this gives the one clear line for bad credentials, an unknown
    /// database or an unreachable server.
    public func probe() async -> String? {
        do {
            let connection = try await connect()
            try? await connection.close()
            return nil
        } catch let error as PSQLError {
            if let message = error.serverInfo?[.message] {
                return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
            }
            return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        } catch {
            return String(describing: error)
        }
    }

    /// Opens a connection outside the pool (the probe, the change listener), logging only critical problems.
    func connect() async throws -> PostgresConnection {
        let configuration = PostgresConnection.Configuration(
            host: url.host,
            port: url.port,
            username: url.user,
            password: url.password,
            database: url.database,
            tls: url.requireTLS ? .require(try .init(configuration: .makeClientConfiguration())) : .disable
        )
        var quiet = logger
        quiet.logLevel = .critical
        return try await PostgresConnection.connect(configuration: configuration, id: 0, logger: quiet)
    }

    /// Connection-level failures become 503s; errors the app should see (constraint violations) stay.
    private static func storeError(_ error: any Error) -> any Error {
        // `withTransaction` wraps what failed; the app wants that (a 412 from a precondition, a lost connection).
        if let error = error as? PostgresTransactionError,
            let cause = error.closureError ?? error.beginError ?? error.commitError
        {
            return storeError(cause)
        }
        guard let error = error as? PSQLError else { return error }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            if state == "57014" { return StoreError(.timeout, "statement timeout: \(error)") }
            // 08: connection exception, 53: insufficient resources, 57P: operator intervention (shutdown).
            if state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P") {
                return StoreError(.unavailable, String(reflecting: error))
            }
            return error
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown, .queryCancelled:
            return StoreError(.unavailable, String(reflecting: error))
        default:
            return error
        }
    }

    /// The one place a row becomes a model, read straight from the cells' binary bytes.
    ///
    /// PostgresNIO's `decode((UUID, String, String, Int64, Int64).self)` instantiates generic
    /// tuple metadata for every row: ~10% of the CPU of an uncached `GET /posts` (100 rows; perf).
    /// Types and formats are checked, so a schema drift is a 500 `corrupt`, never a wrong value.
    private static func post(from row: PostgresRow) throws -> Post {
        var cells = row.makeIterator()
        guard let id = cells.next().flatMap(uuid), let title = cells.next().flatMap(text), let body = cells.next().flatMap(text),
            let created = cells.next().flatMap(timestamp), let updated = cells.next().flatMap(timestamp)
        else { throw StoreError(.corrupt, "unexpected column types in posts: \(row.map { ($0.columnName, $0.dataType) })") }
        return Post(
            id: id,
            title: title,
            body: body,
            createdAt: created,
            updatedAt: updated
        )
    }

    private static func uuid(_ cell: PostgresCell) -> UUID? {
        guard cell.dataType == .uuid, cell.format == .binary, let bytes = cell.bytes, bytes.readableBytes == 16 else { return nil }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &value) { target in bytes.withUnsafeReadableBytes { target.copyMemory(from: $0) } }
        return UUID(uuid: value)
    }

    private static func text(_ cell: PostgresCell) -> String? {
        guard cell.dataType == .text || cell.dataType == .varchar, cell.format == .binary, let bytes = cell.bytes else { return nil }
        return String(buffer: bytes)
    }

    /// `timestamptz` in binary: microseconds since 2000-01-01 UTC, floored to whole seconds.
    private static func timestamp(_ cell: PostgresCell) -> Timestamp? {
        guard cell.dataType == .timestamptz, cell.format == .binary, var bytes = cell.bytes, bytes.readableBytes == 8,
            let microseconds = bytes.readInteger(as: Int64.self)
        else { return nil }
        let (seconds, remainder) = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        return Timestamp(secondsSince1970: seconds - (remainder < 0 ? 1 : 0) + 946_684_800)
    }
}
