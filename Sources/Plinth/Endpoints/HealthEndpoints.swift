import Hummingbird

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
        router.get("/health") { _, _ in
            var response = JSONResponse.emptyObject()
            response.headers[.cacheControl] = "no-store"
            return response
        }
        router.get("/health/db") { _, context in
            do {
                try await checkDatabase()
            } catch {
                context.logger.warning("database health check failed", metadata: ["error": "\(String(reflecting: error))"])
                throw APIError(.serviceUnavailable, message: "The database is unreachable.")
            }
            var response = JSONResponse.emptyObject()
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }
}
