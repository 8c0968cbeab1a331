import Hummingbird
import Logging
import PlinthApp
import PlinthCore
import PlinthDatabase
import PostsCore

/// The posts app, as the toolkit's commands see it.
public enum PostsApp: AppDefinition {
    /// `posts`.
    public static let name = "posts"
    /// Posts' and comments' migrations.
    public static var migrations: [Migration] { AppMigrations.all }

    /// The settings from `env`.
    public static func config(env: Env) throws -> ServiceConfig { try AppConfig(env: env) }

    /// The composition root.
    public static func buildApplication(config: ServiceConfig, logger: Logger, drain: Drain) async throws -> some ApplicationProtocol {
        try await Posts.buildApplication(config: config, logger: logger, drain: drain)
    }

    /// Every route.
    public static func routeTable() -> [String] { Posts.routeTable() }
}
