import Foundation
import GRDB
import Logging
import PlinthCore

/// Embedded SQLite through GRDB, the zero-setup default.
///
/// Files use a WAL `DatabasePool`: readers run concurrently with the single writer. Writes run on
/// GRDB's writer queue; reads on the calling task's thread (never an event loop: handlers run on
/// Swift's pool), which at most the database's call bound of them occupy at once.
/// `synchronous = FULL`: a write is acknowledged only after the WAL is on disk, so a 201 survives a
/// crash of the process or of the machine. `foreign_keys = ON` on every connection, so `ON DELETE
/// CASCADE` holds (SQLite leaves foreign keys off by default).
final class SQLiteBackend: DatabaseBackend {
    private let writer: any DatabaseWriter

    init(location: SQLiteLocation) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.foreignKeysEnabled = true
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

    func fold<State: Sendable>(
        _ sql: SQL,
        write: Bool,
        into initial: State,
        _ step: @escaping @Sendable (inout State, inout SQLRow) throws -> Void
    ) async throws -> State {
        let (text, arguments) = Self.statement(sql)
        let read: @Sendable (GRDB.Database) throws -> State = { db in try Self.fold(db, text, arguments, into: initial, step) }
        if write { return try await Self.mapErrors { try await writer.write(read) } }
        // A read runs on the calling thread: SQLite answers from its page cache in tens of µs, less
        // than the hop to GRDB's reader queue and back costs. Writes wait on the one writer, so they hop.
        // It is one statement, which sees one snapshot of a WAL database by itself, so it runs
        // without the `BEGIN`/`COMMIT` GRDB's `read` wraps around it (two statements more per read).
        return try await Self.mapErrors { try writer.unsafeRead(read) }
    }

    func guardedWrite<Row: Sendable>(
        _ change: SQL,
        current: SQL,
        precondition: @escaping WritePrecondition<Row>,
        _ map: @escaping @Sendable (inout SQLRow) throws -> Row
    ) async throws -> Row? {
        let (changeText, changeArguments) = Self.statement(change)
        let (currentText, currentArguments) = Self.statement(current)
        let first: @Sendable (Row?, inout SQLRow) throws -> Row? = { found, row in try found ?? map(&row) }
        return try await Self.mapErrors {
            try await writer.writeWithoutTransaction { db in
                var result: Row?
                try db.inTransaction(.immediate) {
                    guard let found = try Self.fold(db, currentText, currentArguments, into: nil, { $0 = try first($0, &$1) }) else { return .commit }
                    try precondition(found)
                    result = try Self.fold(db, changeText, changeArguments, into: nil, { $0 = try first($0, &$1) })
                    return .commit
                }
                return result
            }
        }
    }

    /// Runs a cached statement and folds every row into `state`, each read in place from the statement.
    private static func fold<State>(
        _ db: GRDB.Database,
        _ text: String,
        _ arguments: StatementArguments,
        into initial: State,
        _ step: (inout State, inout SQLRow) throws -> Void
    ) throws -> State {
        let statement = try db.cachedStatement(sql: text)
        let cursor = try GRDB.Row.fetchCursor(statement, arguments: arguments)
        var state = initial
        while try cursor.next() != nil {
            var row = SQLRow(sqlite: statement.sqliteStatement)
            try step(&state, &row)
        }
        return state
    }

    func batch(_ statements: [SQL]) async throws {
        try await Self.mapErrors {
            try await writer.write { db in
                for sql in statements {
                    let (text, arguments) = Self.statement(sql)
                    try db.cachedStatement(sql: text).execute(arguments: arguments)
                }
            }
        }
    }

    func checkHealth() async throws {
        _ = try await writer.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    func appliedMigrations() async throws -> Set<String> {
        try await writer.read { db in
            guard try db.tableExists(Self.migrationsTable) else { return [] }
            return Set(try String.fetchAll(db, sql: "SELECT identifier FROM \(Self.migrationsTable)"))
        }
    }

    /// Applies pending migrations in one `BEGIN IMMEDIATE` transaction, recorded in `grdb_migrations`.
    ///
    /// GRDB's `DatabaseMigrator` reads the applied versions before it takes the write lock, so two
    /// processes starting at once on a fresh file could both try `CREATE TABLE`. Here the check and
    /// the changes happen under SQLite's write lock (waiting up to the 5 s busy timeout), like
    /// PostgreSQL's advisory lock. The table keeps the name and shape GRDB's migrator used, so files
    /// it created stay valid.
    func apply(_ migrations: [Migration], logger: Logger) async throws -> [String] {
        try await underMigrationLock { db in
            let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM \(Self.migrationsTable)"))
            var done: [String] = []
            for migration in migrations where !applied.contains(migration.id) {
                for statement in migration.sqlite.up { try db.execute(sql: statement) }
                try db.execute(sql: "INSERT INTO \(Self.migrationsTable) (identifier) VALUES (?)", arguments: [migration.id])
                done.append(migration.id)
            }
            return done
        }
    }

    func rollback(_ migrations: [Migration], steps: Int, logger: Logger) async throws -> [String] {
        try await underMigrationLock { db in
            let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM \(Self.migrationsTable)"))
            let reverting = try Database.toRevert(migrations, applied: applied, steps: steps)
            for migration in reverting {
                for statement in migration.sqlite.down { try db.execute(sql: statement) }
                try db.execute(sql: "DELETE FROM \(Self.migrationsTable) WHERE identifier = ?", arguments: [migration.id])
            }
            return reverting.map(\.id)
        }
    }

    private func underMigrationLock<Result: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> Result) async throws -> Result {
        try await writer.writeWithoutTransaction { db in
            var result: Result?
            try db.inTransaction(.immediate) {
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS \(Self.migrationsTable) (identifier TEXT NOT NULL PRIMARY KEY)")
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    private static let migrationsTable = "grdb_migrations"

    /// The statement's text with `?` markers and its values as SQLite stores them.
    private static func statement(_ sql: SQL) -> (String, StatementArguments) {
        var values: [(any DatabaseValueConvertible)?] = []
        let text = sql.render { _, _, text in
            text += "?"
        } bind: { value in
            switch value {
            case .null: values.append(nil)
            case .text(let text): values.append(text)
            case .int(let int): values.append(int)
            case .bool(let bool): values.append(bool)
            case .uuid(let id): values.append(id.lowercasedString)
            case .timestamp(let timestamp): values.append(timestamp.iso8601)
            }
        }
        return (text, StatementArguments(values))
    }

    /// A busy database is a 503; a constraint that a concurrent write broke is a 409.
    private static func mapErrors<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw StoreError(.unavailable, String(describing: error))
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw StoreError(.constraint, String(describing: error))
        }
    }
}

/// Where an SQLite database lives.
public enum SQLiteLocation: Sendable, Equatable {
    /// A file, created with its directory when missing.
    case file(String)
    /// A private in-memory database (tests).
    case memory
}
