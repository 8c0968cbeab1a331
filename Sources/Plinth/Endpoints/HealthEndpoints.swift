import Hummingbird
import NIOCore
import PlinthCore

/// `GET /health` (the process answers) and `GET /health/db` (the database answers too).
public struct HealthEndpoints<Context: RequestContext>: Sendable {
    /// Throws when the database cannot be reached.
    public let checkDatabase: @Sendable () async throws -> Void

    /// Creates the endpoints around a database check.
    public init(checkDatabase: @escaping @Sendable () async throws -> Void) {
        self.checkDatabase = checkDatabase
    }

    /// Adds the routes to `router`.
    public func addRoutes(to router: Router<Context>) {
        router.get("/health") { request, _ in
            Self.healthy(request)
        }
        router.get("/health/db") { request, context in
            do {
                try await checkDatabase()
            } catch {
                context.logger.warning("database health check failed", metadata: ["error": "\(String(reflecting: error))"])
                throw APIError(.serviceUnavailable, message: "The database is unreachable.")
            }
            return Self.healthy(request)
        }
    }

    /// `{}` with its ETag, never cached by intermediaries.
    static func healthy(_ request: Request) -> Response {
        ConditionalGET.respond(to: request, body: ByteBuffer(staticString: "{}"), headers: [.cacheControl: "no-store"])
    }
}
