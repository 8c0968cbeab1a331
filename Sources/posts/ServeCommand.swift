import ArgumentParser
import Foundation
import Hummingbird
import Plinth
import Posts
import UnixSignals

/// `posts serve` (the default): runs the HTTP server until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the API (PORT, default 5000). The embedded SQLite default migrates itself."
    )

    /// How long graceful shutdown may take: longer than a request may (`TIMEOUT`, 10 s by default).
    static let shutdownGrace: Duration = .seconds(20)

    func run() async throws {
        let config = try loadConfig()
        let logger = bootstrapLogging(config)
        defer { BufferedOutput.standardOutput.flush() }
        let openFiles = SystemLimits.raiseOpenFileLimit()
        logger.info("open file limit", metadata: ["nofile": .stringConvertible(openFiles)])
        // Graceful shutdown waits for in-flight requests; a request stuck on a database connection that
        // died under it would make that wait endless. Past `shutdownGrace` after the first SIGTERM or
        // SIGINT, the process flushes its logs and exits 1.
        let watchdog = Task {
            for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                do { try await Task.sleep(for: Self.shutdownGrace) } catch { return }  // cancelled: shut down in time
                logger.critical("graceful shutdown did not finish in time; exiting", metadata: ["seconds": "\(Self.shutdownGrace)"])
                BufferedOutput.standardOutput.flush()
                Foundation.exit(1)
            }
        }
        defer { watchdog.cancel() }
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
