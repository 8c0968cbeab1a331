import ArgumentParser
import Logging
import PlinthDatabase

/// `APP migrate [status|rollback]`: the schema's lifecycle, as Pliny's `db:migrate`, `db:version` and `db:rollback`.
public struct MigrateCommand<Definition: AppDefinition>: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "migrate",
            abstract: "Apply pending database migrations (DATABASE_URL). Safe to run twice.",
            subcommands: [Apply.self, Status.self, Rollback.self],
            defaultSubcommand: Apply.self
        )
    }

    /// Creates the command.
    public init() {}

    /// `APP migrate`: applies what is pending.
    public struct Apply: AsyncParsableCommand {
        /// The command's name and help.
        public static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "up", abstract: "Apply pending migrations (the default).")
        }

        /// Creates the command.
        public init() {}

        /// Applies pending migrations.
        public func run() async throws {
            let migrations = Definition.migrations
            let applied = try await MigrateCommand.withMigrationDatabase { database, logger in
                try await database.migrate(migrations, logger: logger)
            }
            print(applied.isEmpty ? "migrations up to date" : "applied \(applied.joined(separator: ", ")); migrations up to date")
        }
    }

    /// `APP migrate status`: each migration, applied or pending.
    public struct Status: AsyncParsableCommand {
        /// The command's name and help.
        public static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "status", abstract: "List every migration as applied or pending.")
        }

        /// Creates the command.
        public init() {}

        /// Prints each migration's state.
        public func run() async throws {
            let migrations = Definition.migrations
            let states = try await MigrateCommand.withMigrationDatabase { database, _ in try await database.migrationStatus(migrations) }
            for state in states { print("\(state.applied ? "applied" : "pending") \(state.id)") }
        }
    }

    /// `APP migrate rollback [--steps N]`: reverts the newest applied migrations.
    public struct Rollback: AsyncParsableCommand {
        /// The command's name and help.
        public static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "rollback", abstract: "Revert the last N applied migrations, newest first.")
        }

        /// How many migrations to revert.
        @Option(name: .long, help: "How many migrations to revert.")
        var steps = 1

        /// Creates the command.
        public init() {}

        /// Reverts the newest `steps` migrations.
        public func run() async throws {
            let (steps, migrations) = (steps, Definition.migrations)
            let reverted = try await MigrateCommand.withMigrationDatabase { database, logger in
                try await database.rollback(migrations, steps: steps, logger: logger)
            }
            print("reverted \(reverted.joined(separator: ", "))")
        }
    }
}

extension MigrateCommand {
    /// Runs `body` on the configured database; a ``MigrationError`` is one line on standard error and exit 1.
    static func withMigrationDatabase<Result: Sendable>(
        _ body: @Sendable @escaping (Database, Logger) async throws -> Result
    ) async throws -> Result {
        let config = try Definition.loadConfig()
        let logger = Definition.bootstrapLogging(config)
        do {
            return try await Definition.withDatabase(config, logger: logger) { database in try await body(database, logger) }
        } catch let error as MigrationError {
            printToStandardError("\(Definition.name) migrate: \(error)")
            throw ExitCode.failure
        }
    }
}
