import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PlinthCore
import ServiceLifecycle

/// `APP serve` (the default): runs the HTTP server until SIGTERM or SIGINT.
public struct ServeCommand<Definition: AppDefinition>: AsyncParsableCommand {
    /// The command's name and help.
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "serve", abstract: "Serve the API (PORT, default 5000). The embedded SQLite default migrates itself.")
    }

    /// How long graceful shutdown may take: longer than a request may (`TIMEOUT`, 10 s by default).
    /// Past it the server's tasks are cancelled, which ends a request stuck on a database connection
    /// that died under it; past `cancellationGrace` more, service-lifecycle stops the process.
    static var shutdownGrace: Duration { .seconds(20) }
    static var cancellationGrace: Duration { .seconds(5) }

    /// On SIGTERM, health checks answer 503 for `grace` seconds while requests are still served, so a load
    /// balancer moves traffic away first; then the group shuts down gracefully.
    static func drainOnSIGTERM(_ drain: Drain, grace: Double, group: ServiceGroup, logger: Logger) -> any DispatchSourceSignal {
        signal(SIGTERM, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGTERM)
        source.setEventHandler {
            guard drain.begin() else { return }
            logger.notice("SIGTERM: draining", metadata: ["shutdown_grace": .stringConvertible(grace)])
            Task {
                try? await Task.sleep(for: .seconds(grace))
                await group.triggerGracefulShutdown()
            }
        }
        source.resume()
        return source
    }

    /// Creates the command.
    public init() {}

    /// Serves until SIGINT, or SIGTERM and its drain.
    public func run() async throws {
        let config = try Definition.loadConfig()
        let logger = Definition.bootstrapLogging(config)
        defer { BufferedOutput.standardOutput.flush() }
        let openFiles = SystemLimits.raiseOpenFileLimit()
        logger.info("open file limit", metadata: ["nofile": .stringConvertible(openFiles)])
        do {
            let drain = Drain()
            let app = try await Definition.buildApplication(config: config, logger: logger, drain: drain)
            var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigint], logger: logger)
            configuration.maximumGracefulShutdownDuration = Self.shutdownGrace
            configuration.maximumCancellationDuration = Self.cancellationGrace
            let group = ServiceGroup(configuration: configuration)
            let sigterm = Self.drainOnSIGTERM(drain, grace: config.shutdownGrace, group: group, logger: logger)
            defer { sigterm.cancel() }
            try await group.run()
        } catch {
            logger.critical("server stopped", metadata: ["error": "\(String(reflecting: error))"])
            BufferedOutput.standardOutput.flush()
            throw ExitCode.failure
        }
    }
}
