import ArgumentParser
import Logging
import PlinthCore
import PlinthDatabase
import Posts

/// `posts`: the posts API service and its maintenance commands.
@main
struct PostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "posts",
        abstract: "The posts JSON API (Plinth). Configured by environment variables; see .env.sample.",
        subcommands: [ServeCommand.self, MigrateCommand.self, SeedCommand.self, RoutesCommand.self, DocsCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}

/// Reads the configuration, or stops with one line naming the bad key and exit code 78 (EX_CONFIG).
func loadConfig() throws -> AppConfig {
    do {
        return try AppConfig(env: Env())
    } catch let error as ConfigError {
        printToStandardError("posts: configuration error: \(error)")
        throw ExitCode(78)
    }
}

/// Sets up logfmt logging for the process and returns the app's logger.
func bootstrapLogging(_ config: AppConfig) -> Logger {
    LoggingSystem.bootstrap { label in LogfmtLogHandler(label: label, level: config.logLevel) }
    var logger = Logger(label: "posts")
    logger.logLevel = config.logLevel
    return logger
}

/// Runs `body` with the database's services (the PostgreSQL client) running, then stops them.
func withDatabase<Result: Sendable>(
    _ config: AppConfig,
    logger: Logger,
    _ body: @Sendable @escaping (Database) async throws -> Result
) async throws -> Result {
    var options = config.databaseOptions
    options.poolSize = 2
    let database = try Database.open(config.database, options: options, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        for service in database.services {
            group.addTask { try await service.run() }
        }
        defer { group.cancelAll() }
        return try await body(database)
    }
}

func printToStandardError(_ line: String) {
    var stream = StandardError()
    print(line, to: &stream)
}

private struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleWriter.write(string, to: 2)
    }
}
