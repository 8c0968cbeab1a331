import ArgumentParser
import Foundation
import Hummingbird
import PlinthCore
import Posts
import ServiceLifecycle

/// `posts serve` (the default): runs the HTTP server until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the API (PORT, default 5000). The embedded SQLite default migrates itself."
    )

    /// How long graceful shutdown may take: longer than a request may (`TIMEOUT`, 10 s by default).
    /// Past it the server's tasks are cancelled, which ends a request stuck on a database connection
    /// that died under it; past `cancellationGrace` more, service-lifecycle stops the process.
    static let shutdownGrace: Duration = .seconds(20)
    static let cancellationGrace: Duration = .seconds(5)

    func run() async throws {
        let config = try loadConfig()
        let logger = bootstrapLogging(config)
        defer { BufferedOutput.standardOutput.flush() }
        let openFiles = SystemLimits.raiseOpenFileLimit()
        logger.info("open file limit", metadata: ["nofile": .stringConvertible(openFiles)])
        do {
            let app = try await buildApplication(config: config, logger: logger)
            var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            configuration.maximumGracefulShutdownDuration = Self.shutdownGrace
            configuration.maximumCancellationDuration = Self.cancellationGrace
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            logger.critical("server stopped", metadata: ["error": "\(String(reflecting: error))"])
            BufferedOutput.standardOutput.flush()
            throw ExitCode.failure
        }
    }
}
