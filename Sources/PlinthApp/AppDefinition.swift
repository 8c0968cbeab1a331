import Hummingbird
import Logging
import PlinthCore
import PlinthDatabase

/// What the toolkit's commands (`serve`, `migrate`, `seed`, `routes`) need to know of an app.
///
/// An app's executable lists the commands for its definition:
/// ```swift
/// @main
/// struct DemoCommand: AsyncParsableCommand {
///     static let configuration = CommandConfiguration(
///         commandName: "demo",
///         subcommands: [ServeCommand<DemoApp>.self, MigrateCommand<DemoApp>.self, RoutesCommand<DemoApp>.self],
///         defaultSubcommand: ServeCommand<DemoApp>.self
///     )
/// }
/// ```
public protocol AppDefinition: SendableMetatype {
    /// The application ``buildApplication(config:logger:drain:)`` returns.
    associatedtype App: ApplicationProtocol

    /// The app's name, as its command is called: it prefixes the commands' error lines.
    static var name: String { get }
    /// Every migration of the app, oldest first.
    static var migrations: [Migration] { get }
    /// The app's settings from the environment.
    static func config(env: Env) throws -> ServiceConfig
    /// The composition root.
    static func buildApplication(config: ServiceConfig, logger: Logger, drain: Drain) async throws -> App
    /// `METHOD /path` for every route.
    static func routeTable() -> [String]
    /// Loads the app's seed data into a migrated database, for `APP seed`; returns what it did, in a line.
    static func seed(database: Database, logger: Logger) async throws -> String
}

extension AppDefinition {
    /// No seed data: apps that have some say what it is.
    public static func seed(database: Database, logger: Logger) async throws -> String { "\(name) has no seed data" }
}
