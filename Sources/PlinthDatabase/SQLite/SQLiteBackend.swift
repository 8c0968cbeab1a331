import Foundation
import GRDB
import Logging
import PlinthCore

/// Embedded SQLite through GRDB, the zero-setup default.
///
/// Files use a WAL `DatabasePool`: readers run concurrently with the single writer. GRDB runs every
/// statement on its own dispatch queues, so no SQLite call blocks an event loop.
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

    func query<Row: Sendable>(_ sql: SQL, write: Bool, _ map: @escaping @Sendable (inout SQLRow) throws -> Row) async throws -> [Row] {
        let (text, arguments) = Self.statement(sql)
        let read: @Sendable (GRDB.Database) throws -> [Row] = { db in
            let statement = try db.cachedStatement(sql: text)
            var rows: [Row] = []
            let cursor = try GRDB.Row.fetchCursor(statement, arguments: arguments)
            while let row = try cursor.next() {
                var sqlRow = SQLRow(sqlite: row)
                rows.append(try map(&sqlRow))
            }
            return rows
        }
        return try await Self.mapErrors { write ? try await writer.write(read) : try await writer.read(read) }
    }

    func guardedWrite<Row: Sendable>(
        _ change: SQL,
        current: SQL,
        precondition: @escaping WritePrecondition<Row>,
        _ map: @escaping @Sendable (inout SQLRow) throws -> Row
    ) async throws -> Row? {
        let (changeText, changeArguments) = Self.statement(change)
        let (currentText, currentArguments) = Self.statement(current)
        return try await Self.mapErrors {
            try await writer.writeWithoutTransaction { db in
                var result: Row?
                try db.inTransaction(.immediate) {
                    guard let row = try GRDB.Row.fetchOne(db, sql: currentText, arguments: currentArguments) else { return .commit }
                    var sqlRow = SQLRow(sqlite: row)
                    try precondition(try map(&sqlRow))
                    if let changed = try GRDB.Row.fetchOne(db, sql: changeText, arguments: changeArguments) {
                        var changedRow = SQLRow(sqlite: changed)
                        result = try map(&changedRow)
                    }
                    return .commit
                }
                return result
            }
        }
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
        let values: [(any DatabaseValueConvertible)?] = sql.values.map { value in
            switch value {
            case .null: nil
            case .text(let text): text
            case .int(let int): int
            case .bool(let bool): bool
            case .uuid(let id): id.lowercasedString
            case .timestamp(let timestamp): timestamp.iso8601
            }
        }
        return (sql.text { _ in "?" }, StatementArguments(values))
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
