import ArgumentParser
import Posts

/// `posts migrate`: applies pending schema migrations.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (DATABASE_URL). Safe to run twice."
    )

    func run() async throws {
        let config = try loadConfig()
        let logger = bootstrapLogging(config)
        try await withDatabase(config, logger: logger) { database in
            try await database.store.migrate()
        }
        print("migrations up to date")
    }
}
