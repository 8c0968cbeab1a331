import ArgumentParser
import Logging
import PlinthDatabase

/// `APP seed`: migrates the configured database, then runs the app's ``AppDefinition/seed(database:logger:)``.
public struct SeedCommand<Definition: AppDefinition>: AsyncParsableCommand {
    /// The command's name and help.
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "seed", abstract: "Migrate the database (DATABASE_URL), then load the app's seed data.")
    }

    /// Creates the command.
    public init() {}

    /// Migrates and seeds; a failure is one line on standard error and exit status 1.
    public func run() async throws {
        let config = try Definition.loadConfig()
        let logger = Definition.bootstrapLogging(config)
        do {
            let summary = try await Definition.withDatabase(config, logger: logger) { database in
                try await database.migrate(Definition.migrations, logger: logger)
                return try await Definition.seed(database: database, logger: logger)
            }
            print(summary)
        } catch {
            printToStandardError("\(Definition.name) seed: \(error)")
            throw ExitCode.failure
        }
    }
}
