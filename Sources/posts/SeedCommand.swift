import ArgumentParser
import Foundation
import PlinthApp
import Posts
import PostsCore

/// `posts seed --file PATH`: loads posts from a JSON file, keeping ids and timestamps.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract:
            "Load posts from a JSON array (e.g. bench/posts.json), streamed: any size, checked whole before a write, then upserted by id 2,000 per transaction."
    )

    @Option(name: .long, help: "A JSON array of {id, title, body, created_at, updated_at}.")
    var file: String

    func run() async throws {
        let config = try PostsApp.loadConfig()
        let logger = PostsApp.bootstrapLogging(config)
        guard FileManager.default.isReadableFile(atPath: file) else {
            printToStandardError("posts seed: cannot read \(file)")
            throw ExitCode.failure
        }
        do {
            let count = try await PostsApp.withDatabase(config, logger: logger) { database in
                try await database.migrate(AppMigrations.all, logger: logger)
                return try await SeedLoader(store: PostStore(database: database)).load(path: file)
            }
            print("seeded \(count) posts from \(file)")
        } catch let error as SeedError {
            printToStandardError("posts seed: \(file): \(error)")
            throw ExitCode.failure
        }
    }
}
