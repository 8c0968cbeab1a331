import ArgumentParser
import Logging
import PlinthDatabase
import PostsCore

/// `posts migrate [status|rollback]`: the schema's lifecycle, as Pliny's `db:migrate`, `db:version` and `db:rollback`.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (DATABASE_URL). Safe to run twice.",
        subcommands: [Apply.self, Status.self, Rollback.self],
        defaultSubcommand: Apply.self
    )

    /// `posts migrate`: applies what is pending.
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "up", abstract: "Apply pending migrations (the default).")

        func run() async throws {
            let applied = try await withMigrationDatabase { database, logger in try await database.migrate(AppMigrations.all, logger: logger) }
            print(applied.isEmpty ? "migrations up to date" : "applied \(applied.joined(separator: ", ")); migrations up to date")
        }
    }

    /// `posts migrate status`: each migration, applied or pending.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every migration as applied or pending.")

        func run() async throws {
            let states = try await withMigrationDatabase { database, _ in try await database.migrationStatus(AppMigrations.all) }
            for state in states { print("\(state.applied ? "applied" : "pending") \(state.id)") }
        }
    }

    /// `posts migrate rollback [--steps N]`: reverts the newest applied migrations.
    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revert the last N applied migrations, newest first.")

        @Option(name: .long, help: "How many migrations to revert.")
        var steps = 1

        func run() async throws {
            let reverted = try await withMigrationDatabase { database, logger in
                try await database.rollback(AppMigrations.all, steps: steps, logger: logger)
            }
            print("reverted \(reverted.joined(separator: ", "))")
        }
    }
}

/// Runs `body` on the configured database; a ``MigrationError`` is one line on standard error and exit 1.
private func withMigrationDatabase<Result: Sendable>(
    _ body: @Sendable @escaping (Database, Logger) async throws -> Result
) async throws -> Result {
    let config = try loadConfig()
    let logger = bootstrapLogging(config)
    do {
        return try await withDatabase(config, logger: logger) { database in try await body(database, logger) }
    } catch let error as MigrationError {
        printToStandardError("posts migrate: \(error)")
        throw ExitCode.failure
    }
}
