import ArgumentParser
import Logging
import PlinthCore
import PlinthDatabase

extension AppDefinition {
    /// Reads the configuration, or stops with one line naming the bad key and exit code 78 (EX_CONFIG).
    public static func loadConfig() throws -> ServiceConfig {
        do {
            return try config(env: Env())
        } catch let error as ConfigError {
            printToStandardError("\(name): configuration error: \(error)")
            throw ExitCode(78)
        }
    }

    /// Sets up logfmt logging for the process and returns the app's logger.
    public static func bootstrapLogging(_ config: ServiceConfig) -> Logger {
        LoggingSystem.bootstrap { label in LogfmtLogHandler(label: label, level: config.logLevel) }
        return config.makeLogger()
    }

    /// Runs `body` with the database's services (the PostgreSQL client) running, then stops them:
    /// for maintenance commands, with a small pool.
    public static func withDatabase<Result: Sendable>(
        _ config: ServiceConfig,
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
}

/// Writes one line to standard error.
public func printToStandardError(_ line: String) {
    FileHandleWriter.write(line + "\n", to: 2)
}
