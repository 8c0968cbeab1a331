import ArgumentParser
import Hummingbird
import Plinth
import Posts

/// `posts serve` (the default): runs the HTTP server until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the API (PORT, default 5000). The embedded SQLite default migrates itself."
    )

    func run() async throws {
        let config = try loadConfig()
        let logger = bootstrapLogging(config)
        defer { BufferedOutput.standardOutput.flush() }
        let openFiles = SystemLimits.raiseOpenFileLimit()
        logger.info("open file limit", metadata: ["nofile": .stringConvertible(openFiles)])
        do {
            let app = try await buildApplication(config: config, logger: logger)
            try await app.runService()
        } catch {
            logger.critical("server stopped", metadata: ["error": "\(String(reflecting: error))"])
            BufferedOutput.standardOutput.flush()
            throw ExitCode.failure
        }
    }
}
