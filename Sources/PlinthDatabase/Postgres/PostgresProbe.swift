import Logging
import ServiceLifecycle

/// Checks once at start that PostgreSQL accepts the configured URL and says clearly why not.
///
/// Runs beside the server rather than before it: the service starts (and `/health` answers)
/// even when the database is down, and recovers when it comes back.
struct PostgresProbe: Service {
    let backend: PostgresBackend
    let url: PostgresURL
    let logger: Logger

    func run() async throws {
        // Cancelled (a command that finished first): the probe's failure says nothing about the database.
        if let problem = await backend.probe(), !Task.isCancelled {
            logger.error(
                "cannot connect to PostgreSQL; requests that need it get 503 until it is reachable",
                metadata: ["database": .string("\(url.user)@\(url.host):\(url.port)/\(url.database)"), "problem": .string(problem)]
            )
        }
        try? await gracefulShutdown()
    }
}
