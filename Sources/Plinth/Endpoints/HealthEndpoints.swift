import Hummingbird
import NIOCore
import PlinthCore

/// `GET /health` (the process answers) and `GET /health/db` (the database answers too); both 503
/// once the process is draining, so a load balancer stops sending it requests before it stops.
public struct HealthEndpoints<Context: RequestContext>: Sendable {
    /// Throws when the database cannot be reached.
    public let checkDatabase: @Sendable () async throws -> Void
    /// Set when the process is shutting down.
    public let drain: Drain?

    /// Creates the endpoints around a database check.
    public init(checkDatabase: @escaping @Sendable () async throws -> Void, drain: Drain? = nil) {
        self.checkDatabase = checkDatabase
        self.drain = drain
    }

    /// Adds the routes to `router`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/health") { [drain] request, _ in
            if drain?.isDraining == true { throw Self.shuttingDown }
            return Self.healthy(request)
        }
        router.get("/health/db") { [drain] request, context in
            if drain?.isDraining == true { throw Self.shuttingDown }
            do {
                try await checkDatabase()
            } catch {
                context.logger.warning("database health check failed", metadata: ["error": "\(String(reflecting: error))"])
                throw APIError(.serviceUnavailable, message: "The database is unreachable.")
            }
            return Self.healthy(request)
        }
    }

    static var shuttingDown: APIError { APIError(.serviceUnavailable, message: "Shutting down.") }

    /// `{}` with its ETag, never cached by intermediaries.
    static func healthy(_ request: Request) -> Response {
        ConditionalGET.respond(to: request, body: ByteBuffer(staticString: "{}"), headers: [.cacheControl: "no-store"])
    }
}
