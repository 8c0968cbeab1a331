import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PlinthCore
import PostgresNIO

/// PostgreSQL through PostgresNIO's pooled `PostgresClient`.
///
/// The client is a service: the app runs it under its service group, so SIGTERM closes it after the
/// server has drained. Failures are bounded: a connection must be leased within ``leaseTimeout``
/// (so requests get a quick 503 while PostgreSQL is down, and work again as soon as it is back, with
/// no restart), and each statement answered within `statementTimeout` (PostgreSQL's
/// `statement_timeout`, Pliny's `DATABASE_TIMEOUT`) plus ``answerGrace``.
final class PostgresBackend: DatabaseBackend {
    /// The pooled client; run it (it is a `Service`) before querying.
    let client: PostgresClient
    private let logger: Logger
    private let url: PostgresURL
    private let statementTimeout: Duration
    /// Set when a lease timed out and cleared by the next success: while PostgreSQL is known to be
    /// down, requests wait only ``shortLeaseTimeout`` before their 503.
    private let knownDown = NIOLockedValueBox(false)
    /// How long a request waits for a pooled connection before answering 503.
    private let leaseTimeout: Duration
    /// The read statements prepared on each pooled connection.
    let statements = PreparedStatements()

    /// How long a request waits for a pooled connection by default.
    static let defaultLeaseTimeout: Duration = .seconds(2)
    /// The wait while the database is known to be unreachable.
    static let shortLeaseTimeout: Duration = .milliseconds(200)
    /// How long past the statement timeout a leased call may go unanswered before it is abandoned
    /// with a 503 (PostgreSQL answers a timed-out statement itself; this covers a lost answer).
    static let answerGrace: Duration = .seconds(1)
    /// `pg_advisory_xact_lock` key for migrations ("posts" in ASCII, kept from the first release).
    private static let migrationLockKey: Int64 = 0x706f_7374_73

    init(url: PostgresURL, options: DatabaseOptions, logger: Logger, leaseTimeout: Duration = defaultLeaseTimeout) {
        var configuration = PostgresClient.Configuration(
            host: url.host,
            port: url.port,
            username: url.user,
            password: url.password,
            database: url.database,
            tls: url.requireTLS ? .require(.makeClientConfiguration()) : .disable
        )
        configuration.options.maximumConnections = options.poolSize
        // No keep-alive timer: each time a connection goes idle, PostgresNIO schedules a keep-alive
        // and an idle timer and cancels them on the next lease, but a cancelled `Task.sleep` keeps its
        // task until its deadline (~90,000 pending, ~60 MB, after a c=10,000 load; see bench/README.md).
        // A connection that died is refused when leased and replaced. The idle timer stays, short.
        configuration.options.keepAliveBehavior = nil
        configuration.options.connectionIdleTimeout = options.idleTimeout
        configuration.options.connectTimeout = .seconds(3)
        let (seconds, attoseconds) = options.statementTimeout.components
        configuration.options.additionalStartupParameters = [("statement_timeout", String(seconds * 1000 + attoseconds / 1_000_000_000_000_000))]
        // PostgresNIO reports every failed reconnection attempt at info; the probe says it once instead.
        var backgroundLogger = logger
        backgroundLogger.logLevel = max(logger.logLevel, .warning)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: backgroundLogger)
        self.logger = logger
        self.url = url
        self.statementTimeout = options.statementTimeout
        self.leaseTimeout = leaseTimeout
    }

    func fold<State: Sendable>(
        _ sql: SQL,
        write: Bool,
        into initial: State,
        _ step: @escaping @Sendable (inout State, inout SQLRow) throws -> Void
    ) async throws -> State {
        // Reads run as statements prepared on their connection; writes, and reads with a NULL value,
        // as one-off statements.
        if !write, let typed = PreparedStatements.typedStatement(sql) {
            let statements = self.statements
            return try await withConnection { connection, logger in
                guard let prepared = try await statements.statement(typed.text, on: connection) else {
                    return try await Self.fold(Self.query(sql), on: connection, logger, into: initial, step)
                }
                let fold = Fold(initial)
                do {
                    try await prepared.execute(typed.values) { row in
                        var sqlRow = SQLRow(postgres: row, preparedStatement: true)
                        try step(&fold.state, &sqlRow)
                    }.get()
                } catch {
                    statements.forget(typed.text, on: connection)
                    // A statement whose result type a schema change altered (0A000), or that the server no
                    // longer has (26000), runs once unprepared and is prepared again next time.
                    guard case .server(let message) = error as? PostgresError, ["0A000", "26000"].contains(message.fields[.sqlState])
                    else { throw error }
                    return try await Self.fold(Self.query(sql), on: connection, logger, into: initial, step)
                }
                return fold.state
            }
        }
        let statement = Self.query(sql)
        return try await withConnection { connection, logger in
            try await Self.fold(statement, on: connection, logger, into: initial, step)
        }
    }

    /// Runs a one-off statement, folding its rows on the connection's event loop as they are
    /// decoded rather than handing them one by one through an async sequence to this task's thread.
    private static func fold<State: Sendable>(
        _ statement: PostgresQuery,
        on connection: PostgresConnection,
        _ logger: Logger,
        into initial: State,
        _ step: @escaping @Sendable (inout State, inout SQLRow) throws -> Void
    ) async throws -> State {
        let fold = Fold(initial)
        _ = try await connection.query(statement, logger: logger) { row in
            var sqlRow = SQLRow(postgres: row)
            try step(&fold.state, &sqlRow)
        }.get()
        return fold.state
    }

    /// The state of one fold: written by the row callback, one row after another on the
    /// connection's event loop, and read only after the query's future has completed.
    private final class Fold<State>: @unchecked Sendable {
        var state: State
        init(_ state: State) { self.state = state }
    }

    func guardedWrite<Row: Sendable>(
        _ change: SQL,
        current: SQL,
        precondition: @escaping WritePrecondition<Row>,
        _ map: @escaping @Sendable (inout SQLRow) throws -> Row
    ) async throws -> Row? {
        let (changeStatement, currentStatement) = (Self.query(change), Self.query(current + " FOR UPDATE"))
        return try await withConnection { connection, logger in
            try await connection.withTransaction(logger: logger) { connection in
                var found: Row?
                for try await row in try await connection.query(currentStatement, logger: logger) where found == nil {
                    var sqlRow = SQLRow(postgres: row)
                    found = try map(&sqlRow)
                }
                guard let found else { return nil }
                try precondition(found)
                var changed: Row?
                for try await row in try await connection.query(changeStatement, logger: logger) where changed == nil {
                    var sqlRow = SQLRow(postgres: row)
                    changed = try map(&sqlRow)
                }
                return changed
            }
        }
    }

    func batch(_ statements: [SQL]) async throws {
        let queries = statements.map(Self.query)
        try await withConnection(unbounded: true) { connection, logger in
            try await connection.withTransaction(logger: logger) { connection in
                for query in queries { try await connection.query(query, logger: logger) }
            }
        }
    }

    func checkHealth() async throws {
        try await withConnection { connection, logger in _ = try await connection.query("SELECT 1", logger: logger) }
    }

    func appliedMigrations() async throws -> Set<String> {
        try await withConnection(unbounded: true) { connection, logger in
            let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
            var tableExists = false
            for try await value in exists.decode(Bool.self) { tableExists = value }
            guard tableExists else { return [] }
            return try await Self.applied(connection, logger)
        }
    }

    /// Applies pending migrations in one transaction under an advisory lock, so two instances
    /// starting at once apply each migration exactly once.
    func apply(_ migrations: [Migration], logger: Logger) async throws -> [String] {
        try await underMigrationLock { connection, transactionLogger in
            let applied = try await Self.applied(connection, transactionLogger)
            var done: [String] = []
            for migration in migrations where !applied.contains(migration.id) {
                for statement in migration.postgres.up {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: transactionLogger)
                }
                try await connection.query("INSERT INTO schema_migrations (version) VALUES (\(migration.id))", logger: transactionLogger)
                logger.info("applied migration", metadata: ["version": .string(migration.id)])
                done.append(migration.id)
            }
            return done
        }
    }

    func rollback(_ migrations: [Migration], steps: Int, logger: Logger) async throws -> [String] {
        try await underMigrationLock { connection, transactionLogger in
            let reverting = try Database.toRevert(migrations, applied: try await Self.applied(connection, transactionLogger), steps: steps)
            for migration in reverting {
                for statement in migration.postgres.down {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: transactionLogger)
                }
                try await connection.query("DELETE FROM schema_migrations WHERE version = \(migration.id)", logger: transactionLogger)
                logger.info("reverted migration", metadata: ["version": .string(migration.id)])
            }
            return reverting.map(\.id)
        }
    }

    private func underMigrationLock<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) async throws -> Result {
        try await withConnection(unbounded: true) { connection, logger in
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", logger: logger)
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                    logger: logger
                )
                return try await body(connection, logger)
            }
        }
    }

    private static func applied(_ connection: PostgresConnection, _ logger: Logger) async throws -> Set<String> {
        var applied: Set<String> = []
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(String.self) {
            applied.insert(version)
        }
        return applied
    }

    /// The statement with `$n` markers and its values in PostgreSQL's binary formats.
    static func query(_ sql: SQL) -> PostgresQuery {
        var binds = PostgresBindings()
        let text = sql.render { index, _, text in
            text += "$"
            text += String(index)
        } bind: { value in
            switch value {
            case .null: binds.appendNull()
            case .text(let text): binds.append(text)
            case .int(let int): binds.append(int)
            case .bool(let bool): binds.append(bool)
            case .uuid(let id): binds.append(id)
            case .timestamp(let timestamp): binds.append(Date(timeIntervalSince1970: TimeInterval(timestamp.secondsSince1970)))
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: binds)
    }

    /// Runs `body` on a pooled connection, waiting at most ``leaseTimeout`` for one and, once
    /// leased, at most the statement timeout plus ``answerGrace`` for the answer; maps connection
    /// failures and timeouts to ``StoreError`` (503). Migrations and seeding, several statements each,
    /// are `unbounded`. See ``BoundedPoolCall`` for why a body that never answers is abandoned.
    private func withConnection<Result: Sendable>(
        unbounded: Bool = false,
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) async throws -> Result {
        let (client, logger, knownDown) = (self.client, self.logger, self.knownDown)
        let leaseTimeout = knownDown.withLockedValue { $0 } ? min(Self.shortLeaseTimeout, self.leaseTimeout) : self.leaseTimeout
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
    func probe() async -> String? {
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

    /// Connection-level failures become 503s, broken constraints 409s; other errors stay as they are.
    static func storeError(_ error: any Error) -> any Error {
        // `withTransaction` wraps what failed; the app wants that (a 412 from a precondition, a lost connection).
        if let error = error as? PostgresTransactionError, let cause = error.closureError ?? error.beginError ?? error.commitError {
            return storeError(cause)
        }
        // Prepared statements run through PostgresNIO's older interface, which reports `PostgresError`.
        if let error = error as? PostgresError {
            switch error {
            case .server(let message): return serverError(error, state: message.fields[.sqlState] ?? "")
            case .connectionClosed: return StoreError(.unavailable, String(reflecting: error))
            case .protocol(let message) where message == "Unexpected connection close":
                return StoreError(.unavailable, String(reflecting: error))
            case .protocol: return error
            }
        }
        guard let error = error as? PSQLError else { return error }
        switch error.code {
        case .server:
            return serverError(error, state: error.serverInfo?[.sqlState] ?? "")
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown, .queryCancelled:
            return StoreError(.unavailable, String(reflecting: error))
        default:
            return error
        }
    }

    /// An error PostgreSQL answered with, by its SQLSTATE.
    private static func serverError(_ error: any Error, state: String) -> any Error {
        if state == "57014" { return StoreError(.timeout, "statement timeout: \(error)") }
        // 08: connection exception, 53: insufficient resources, 57P: operator intervention (shutdown).
        if state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P") {
            return StoreError(.unavailable, String(reflecting: error))
        }
        // 23: integrity constraint violation (a parent deleted meanwhile, a duplicate key).
        if state.hasPrefix("23") { return StoreError(.constraint, String(reflecting: error)) }
        return error
    }
}
