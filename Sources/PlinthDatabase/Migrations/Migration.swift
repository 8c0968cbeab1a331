import Logging

/// One versioned schema change with its reversal, in each dialect.
///
/// Migrations are applied in `id` order and recorded, so each runs once per database; `down`
/// undoes `up` exactly, so `migrate rollback` can step back.
/// ```swift
/// let createTags = Migration(
///     id: "0003_create_tags",
///     sqlite: .init(up: ["CREATE TABLE tags (name TEXT PRIMARY KEY)"], down: ["DROP TABLE tags"]),
///     postgres: .init(up: ["CREATE TABLE tags (name text PRIMARY KEY)"], down: ["DROP TABLE tags"])
/// )
/// ```
public struct Migration: Sendable {
    /// The statements that apply a change and those that revert it.
    public struct Steps: Sendable {
        /// Applies the change.
        public var up: [String]
        /// Reverts it.
        public var down: [String]

        /// Creates the steps.
        public init(up: [String], down: [String]) {
            self.up = up
            self.down = down
        }
    }

    /// The version, sortable: `0001_create_posts`.
    public let id: String
    /// The statements for SQLite.
    public let sqlite: Steps
    /// The statements for PostgreSQL.
    public let postgres: Steps

    /// Creates a migration.
    public init(id: String, sqlite: Steps, postgres: Steps) {
        self.id = id
        self.sqlite = sqlite
        self.postgres = postgres
    }

    /// The steps for `dialect`.
    func steps(_ dialect: Database.Dialect) -> Steps {
        dialect == .sqlite ? sqlite : postgres
    }

    /// A trigger that sends `NOTIFY <table>_changed` after every statement that changes `table`, from
    /// any client, which ``Database/changeFeed(tables:logger:onChange:)`` listens for; nothing on SQLite,
    /// which has no such notifications.
    public static func notifyChanges(id: String, table: String) -> Migration {
        Migration(
            id: id,
            sqlite: Steps(up: [], down: []),
            postgres: Steps(
                up: [
                    """
                    CREATE OR REPLACE FUNCTION \(table)_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        PERFORM pg_notify('\(channel(table))', '');
                        RETURN NULL;
                    END
                    $$
                    """,
                    """
                    CREATE TRIGGER \(table)_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(table)
                    FOR EACH STATEMENT EXECUTE FUNCTION \(table)_notify_change()
                    """,
                ],
                down: ["DROP TRIGGER \(table)_notify_change ON \(table)", "DROP FUNCTION \(table)_notify_change()"]
            )
        )
    }

    /// The notification channel of changes to `table`.
    static func channel(_ table: String) -> String { "\(table)_changed" }
}

/// Whether one migration is applied, for `migrate status`.
public struct MigrationState: Sendable, Equatable {
    /// The migration's id.
    public var id: String
    /// Whether the database has it.
    public var applied: Bool
}

/// A migration request that cannot be carried out; nothing was changed.
public struct MigrationError: Error, CustomStringConvertible, Equatable {
    /// What is wrong.
    public var description: String

    public init(_ description: String) { self.description = description }
}

extension Database {
    /// Applies every pending migration in `id` order, in one transaction under a lock that
    /// concurrent starters share; returns the ids applied.
    @discardableResult
    public func migrate(_ migrations: [Migration], logger: Logger) async throws -> [String] {
        let applied = try await backend.apply(migrations.sorted { $0.id < $1.id }, logger: logger)
        await replicaReads?.noteWrite()
        return applied
    }

    /// Each migration and whether it is applied, in `id` order.
    public func migrationStatus(_ migrations: [Migration]) async throws -> [MigrationState] {
        let applied = try await backend.appliedMigrations()
        return migrations.sorted { $0.id < $1.id }.map { MigrationState(id: $0.id, applied: applied.contains($0.id)) }
    }

    /// Reverts the last `steps` applied migrations, newest first, in one transaction under the
    /// migration lock; returns the ids reverted. Throws ``MigrationError`` (changing nothing) when
    /// fewer than `steps` are applied or an applied one is unknown to this app.
    @discardableResult
    public func rollback(_ migrations: [Migration], steps: Int, logger: Logger) async throws -> [String] {
        guard steps >= 1 else { throw MigrationError("--steps must be at least 1") }
        let reverted = try await backend.rollback(migrations, steps: steps, logger: logger)
        await replicaReads?.noteWrite()
        return reverted
    }

    /// The migrations to revert, newest first, given what is applied.
    static func toRevert(_ migrations: [Migration], applied: Set<String>, steps: Int) throws -> [Migration] {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.id, $0) })
        let newest = applied.sorted(by: >)
        guard steps <= newest.count else {
            throw MigrationError(
                "cannot roll back \(steps) migration\(steps == 1 ? "" : "s"): only \(newest.count) \(newest.count == 1 ? "is" : "are") applied")
        }
        return try newest.prefix(steps).map { id in
            guard let migration = known[id] else { throw MigrationError("migration \(id) is applied but unknown to this app; cannot revert it") }
            return migration
        }
    }
}
