import Logging
import NIOConcurrencyHelpers
import NIOCore
import PlinthCore
import Prometheus
import ServiceLifecycle

/// The one database of an app, SQLite or PostgreSQL, shared by every resource's store.
///
/// Opened once from `DATABASE_URL`, it owns the pool and applies, once for every store: the bound
/// on calls running and waiting (past it, a quick 503 with `Retry-After`), call deadlines, the
/// probe, the mapping of driver errors to ``StoreError``, the `store_operation_duration_seconds`
/// histogram per operation, the change feed and the migration runner. A store is its SQL and one
/// row-mapping function:
/// ```swift
/// let database = try Database.open(config.database, options: .init(poolSize: 8), logger: logger)
/// let posts = try await database.query("posts.list", "SELECT id, title FROM posts ORDER BY id") { row in
///     (try row.uuid(), try row.text())
/// }
/// ```
public final class Database: Sendable {
    /// The SQL dialect of the backend.
    public enum Dialect: Sendable, Equatable {
        /// Embedded SQLite.
        case sqlite
        /// A PostgreSQL server.
        case postgres
    }

    /// The dialect, for the rare statement that differs.
    public let dialect: Dialect
    /// Services to run beside the server: the PostgreSQL client and its start-up probe (none for SQLite).
    public let services: [any Service]
    let backend: any DatabaseBackend
    /// Where reads go when there is a read replica.
    let replicaReads: ReplicaReads?
    /// The bound on store calls running and waiting, shared by every store.
    let limiter: ConcurrencyLimiter
    private let metrics: OperationMetrics?

    init(
        dialect: Dialect,
        backend: any DatabaseBackend,
        replicaReads: ReplicaReads? = nil,
        services: [any Service],
        options: DatabaseOptions,
        registry: PrometheusCollectorRegistry?
    ) {
        self.dialect = dialect
        self.backend = backend
        self.replicaReads = replicaReads
        self.services = services
        let limit = dialect == .postgres ? 2 * options.poolSize : options.poolSize
        self.limiter = ConcurrencyLimiter(limit: limit, queueLimit: options.maxWaiting, maxWait: options.maxWait)
        self.metrics = registry.map(OperationMetrics.init)
    }

    /// Opens the database `config` names; run ``services`` before querying PostgreSQL.
    ///
    /// With a `replica` (a streaming replica of a PostgreSQL primary), reads go to it whenever it
    /// has replayed every write this instance has made or heard of (see ``changeFeed(tables:logger:onChange:)``),
    /// and to the primary otherwise or while it is down; writes and the health check use the primary.
    public static func open(
        _ config: DatabaseConfig,
        replica: PostgresURL? = nil,
        options: DatabaseOptions = .init(),
        logger: Logger,
        registry: PrometheusCollectorRegistry? = nil
    ) throws -> Database {
        switch config {
        case .sqlite(let location):
            guard replica == nil else { throw StoreError(.unavailable, "a read replica needs a PostgreSQL primary, not SQLite") }
            return Database(dialect: .sqlite, backend: try SQLiteBackend(location: location), services: [], options: options, registry: registry)
        case .postgres(let url):
            let backend = PostgresBackend(url: url, options: options, logger: logger)
            var services: [any Service] = [backend.client, PostgresProbe(backend: backend, url: url, logger: logger)]
            var reads: ReplicaReads?
            if let replica {
                // A replica that stops answering costs its waiting reads no more than this before they
                // go to the primary.
                let replicaBackend = PostgresBackend(url: replica, options: options, logger: logger, leaseTimeout: .milliseconds(500))
                services.append(replicaBackend.client)
                reads = ReplicaReads(primary: backend, replica: replicaBackend, logger: logger)
            }
            return Database(dialect: .postgres, backend: backend, replicaReads: reads, services: services, options: options, registry: registry)
        }
    }

    /// Runs a read and maps every row.
    public func query<Row: Sendable>(
        _ operation: String,
        _ sql: SQL,
        map: @escaping @Sendable (inout SQLRow) throws -> Row
    ) async throws -> [Row] {
        try await read(operation, sql, into: [], Self.appending(map))
    }

    /// Runs a read and folds its rows into `state` as they arrive, without a value per row: for
    /// writing a page straight from the driver's memory. A row's ``SQLText`` is valid only inside `step`.
    public func read<State: Sendable>(
        _ operation: String,
        _ sql: SQL,
        into state: State,
        _ step: @escaping @Sendable (inout State, inout SQLRow) throws -> Void
    ) async throws -> State {
        try await measure(operation) {
            try await limiter.run {
                if let replicaReads { return try await replicaReads.fold(sql, into: state, step) }
                return try await backend.fold(sql, write: false, into: state, step)
            }
        }
    }

    /// Runs a read and maps its first row, if any.
    public func first<Row: Sendable>(_ operation: String, _ sql: SQL, map: @escaping @Sendable (inout SQLRow) throws -> Row) async throws -> Row? {
        try await query(operation, sql, map: map).first
    }

    /// Runs one writing statement (with `RETURNING` to get rows back) and maps the rows it returns.
    @discardableResult
    public func write<Row: Sendable>(
        _ operation: String,
        _ sql: SQL,
        map: @escaping @Sendable (inout SQLRow) throws -> Row
    ) async throws -> [Row] {
        try await measure(operation) {
            try await limiter.run {
                let rows = try await backend.fold(sql, write: true, into: [], Self.appending(map))
                await replicaReads?.noteWrite()
                return rows
            }
        }
    }

    /// Runs one writing statement that returns no rows.
    public func execute(_ operation: String, _ sql: SQL) async throws {
        _ = try await write(operation, sql) { _ in () }
    }

    /// Reads the row `current` selects with it locked, hands it to `precondition`, and only if that
    /// does not throw runs `change`, all in one transaction; `nil` when `current` finds no row.
    ///
    /// Nothing can change the row between the check and the write: PostgreSQL locks it
    /// (`SELECT ... FOR UPDATE`), SQLite holds its one write lock (`BEGIN IMMEDIATE`). Without a
    /// precondition only `change` runs.
    public func write<Row: Sendable>(
        _ operation: String,
        _ change: SQL,
        lockingFirst current: SQL,
        precondition: WritePrecondition<Row>?,
        map: @escaping @Sendable (inout SQLRow) throws -> Row
    ) async throws -> Row? {
        guard let precondition else { return try await write(operation, change, map: map).first }
        return try await measure(operation) {
            try await limiter.run {
                let row = try await backend.guardedWrite(change, current: current, precondition: precondition, map)
                await replicaReads?.noteWrite()
                return row
            }
        }
    }

    /// Runs `statements` in one transaction, outside the call bound and deadline: for maintenance
    /// work such as seeding, not for requests.
    public func batch(_ operation: String, _ statements: [SQL]) async throws {
        try await measure(operation) {
            try await backend.batch(statements)
            await replicaReads?.noteWrite()
        }
    }

    /// Throws when the database cannot answer. Never refused by the call bound: a busy database is a healthy one.
    public func checkHealth() async throws {
        try await measure("health") { try await backend.checkHealth() }
    }

    /// A service that calls `onChange` whenever another client writes one of `tables` (and after it
    /// reconnects, when changes may have been missed); `nil` where the backend has no such feed (SQLite)
    /// or there are no tables.
    ///
    /// Each table needs the trigger of ``Migration/notifyChanges(id:table:)``.
    public func changeFeed(tables: [String], logger: Logger, onChange: @escaping @Sendable () -> Void) -> (any Service)? {
        guard let backend = backend as? PostgresBackend, !tables.isEmpty else { return nil }
        let replicaReads = self.replicaReads
        return PostgresChangeListener(backend: backend, channels: tables.map(Migration.channel), logger: logger) {
            guard let replicaReads else { return onChange() }
            await replicaReads.noteHeardWrite(dropCached: onChange)
        }
    }

    /// The fold step that maps each row and appends it.
    private static func appending<Row>(_ map: @escaping @Sendable (inout SQLRow) throws -> Row)
        -> @Sendable (inout [Row], inout SQLRow) throws -> Void
    {
        { rows, row in rows.append(try map(&row)) }
    }

    private func measure<Result>(_ operation: String, _ body: () async throws -> Result) async throws -> Result {
        guard let metrics else { return try await body() }
        let start = ContinuousClock.now
        defer { metrics.record(operation, ContinuousClock.now - start) }
        return try await body()
    }
}

/// How the database is used: pool size and bounds.
public struct DatabaseOptions: Sendable {
    /// Most PostgreSQL connections; store calls running at once are this on SQLite and twice this on
    /// PostgreSQL, so that under load a released connection goes straight to a waiting call.
    public var poolSize: Int
    /// Most store calls waiting their turn; past it, 503 at once.
    public var maxWaiting: Int
    /// The longest a call waits for its turn.
    public var maxWait: TimeAmount
    /// PostgreSQL's `statement_timeout`.
    public var statementTimeout: Duration
    /// How long a PostgreSQL connection may idle before the pool closes it.
    public var idleTimeout: Duration

    /// Creates options.
    public init(
        poolSize: Int = 4,
        maxWaiting: Int = 4096,
        maxWait: TimeAmount = .seconds(5),
        statementTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(1)
    ) {
        self.poolSize = poolSize
        self.maxWaiting = maxWaiting
        self.maxWait = maxWait
        self.statementTimeout = statementTimeout
        self.idleTimeout = idleTimeout
    }
}

/// What each backend does; ``Database`` adds the bound, the metrics and the common API.
protocol DatabaseBackend: Sendable {
    func fold<State: Sendable>(
        _ sql: SQL,
        write: Bool,
        into initial: State,
        _ step: @escaping @Sendable (inout State, inout SQLRow) throws -> Void
    ) async throws -> State
    func guardedWrite<Row: Sendable>(
        _ change: SQL,
        current: SQL,
        precondition: @escaping WritePrecondition<Row>,
        _ map: @escaping @Sendable (inout SQLRow) throws -> Row
    ) async throws -> Row?
    func batch(_ statements: [SQL]) async throws
    func checkHealth() async throws
    func appliedMigrations() async throws -> Set<String>
    func apply(_ migrations: [Migration], logger: Logger) async throws -> [String]
    func rollback(_ migrations: [Migration], steps: Int, logger: Logger) async throws -> [String]
}

/// One latency histogram per operation, made once rather than looked up in the registry per call.
final class OperationMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let histograms = NIOLockedValueBox<[String: DurationHistogram]>([:])

    init(_ registry: PrometheusCollectorRegistry) { self.registry = registry }

    func record(_ operation: String, _ duration: Duration) {
        let histogram = histograms.withLockedValue { histograms in
            if let histogram = histograms[operation] { return histogram }
            let histogram = registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(
                    metricName: "store_operation_duration", unitName: "seconds", helpText: "Store call latency by operation."),
                labels: [("operation", operation)],
                buckets: Self.buckets
            )
            histograms[operation] = histogram
            return histogram
        }
        histogram.record(duration)
    }

    /// Latency buckets from 0.5 ms to 10 s.
    static let buckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]
}
