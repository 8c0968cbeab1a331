import Foundation
import Hummingbird
import Logging
import NIOCore
import Plinth
import PlinthApp
import PlinthCore
import PlinthDatabase
import PlinthServer
import PostsCore
import Prometheus
import ServiceLifecycle

/// The composition root: opens the one database, assembles the middleware stack and the routes.
///
/// Called by `posts serve` and by the tests; the only place that reads the assembled config.
public func buildApplication(config: AppConfig, logger: Logger? = nil, drain: Drain? = nil) async throws -> some ApplicationProtocol {
    var logger = logger ?? config.makeLogger()
    logger.logLevel = config.logLevel  // LOG_LEVEL rules whatever logger is passed in
    let registry = PrometheusCollectorRegistry()
    let database = try Database.open(
        config.database, replica: config.databaseReplica, options: config.databaseOptions, logger: logger, registry: registry)
    if case .sqlite = config.database { try await database.migrate(AppMigrations.all, logger: logger) }
    let cache = config.cache ? RepresentationCache(maxAge: .milliseconds(Int64(config.cacheMaxAge * 1000))) : nil
    var services = database.services + [MemoryTrimmer()]
    // Writes made elsewhere (another instance, `posts seed`) drop this instance's cached pages.
    if let cache, let feed = database.changeFeed(tables: AppMigrations.tables, logger: logger, onChange: cache.invalidate) {
        services.append(feed)
    }
    let router = buildRouter(
        config: config, database: database, registry: registry, cache: cache, token: config.writeToken(logger: logger), logger: logger,
        drain: drain)
    return config.application(responder: router.buildResponder(), services: services, logger: logger)
}

/// The router with its middleware, in Pliny's order, and every route.
func buildRouter(
    config: AppConfig,
    database: Database,
    registry: PrometheusCollectorRegistry,
    cache: RepresentationCache?,
    token: BearerToken,
    logger: Logger,
    methodNotAllowed: Bool = true,
    drain: Drain? = nil
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    // Pliny's order: outer middleware see what inner ones do, so errors still get CORS headers,
    // a Request-Id and a log line.
    router.add(middleware: CORSPolicyMiddleware(origins: config.corsOrigins))
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: RequestMetricsMiddleware(registry: registry))
    router.add(middleware: CanonicalLogLineMiddleware(logger: logger))
    router.add(middleware: RescueErrorsMiddleware(raiseErrors: config.raiseErrors))
    if config.timeout > 0 { router.add(middleware: TimeoutMiddleware(seconds: config.timeout)) }
    if config.versioning {
        router.add(middleware: VersioningMiddleware(appName: "posts", defaultVersion: config.versioningDefault, supported: [1]))
    }
    router.add(middleware: CompressionMiddleware())

    HealthEndpoints<AppRequestContext>(checkDatabase: database.checkHealth, drain: drain).addRoutes(to: router)
    SchemaEndpoint<AppRequestContext>(document: schemaDocument).addRoutes(to: router)
    docsEndpoint.addRoutes(to: router)
    MetricsEndpoint<AppRequestContext>(registry: registry).addRoutes(to: router)
    let resource = ResourceEndpoints(token: token, prettyJSON: config.prettyJSON, cache: cache)
    addResourceRoutes(to: router, database: database, resource: resource)
    if methodNotAllowed { router.addMethodNotAllowedResponders() }
    return router
}

/// The OpenAPI 3.1 document of this API (`Sources/Posts/Resources/schema.json`), loaded once.
public let schemaDocument: ByteBuffer = {
    guard let url = Bundle.module.url(forResource: "schema", withExtension: "json"), let data = try? Data(contentsOf: url) else {
        preconditionFailure("schema.json is missing from the Posts bundle")
    }
    return ByteBuffer(bytes: data)
}()

/// The API reference, read from ``schemaDocument`` once. Its examples name a post of the sample data
/// (`bench/posts.json`) and the comment `scripts/docs_examples.py` adds to it, so they work as written.
public let apiReference: APIReference = {
    let post = "/posts/dadf6879-fed3-4b5f-8d4e-0ce894784ccf"
    let examples = ["/posts/{id}": post, "/posts/{id}/comments": post + "/comments", "/comments/{id}": "/comments/\(docsExampleCommentID)"]
    do {
        return try APIReference(document: Data(schemaDocument.readableBytesView), examplePaths: examples)
    } catch {
        preconditionFailure("schema.json cannot be read as an API reference: \(error)")
    }
}()

/// The comment the reference's examples use.
public let docsExampleCommentID = "5b1e8a36-0d7f-4c1b-9a53-3c8f2a6e0b11"

let docsEndpoint = DocsEndpoint<AppRequestContext>(reference: apiReference)

/// `METHOD /path` for every route the app serves, for `posts routes`.
public func routeTable() -> [String] {
    // The router needs a database to be built; an unmigrated in-memory one is never queried here.
    guard let database = try? Database.open(.sqlite(.memory), logger: Logger(label: "routes")) else { return [] }
    let router = buildRouter(
        config: AppConfig(), database: database, registry: PrometheusCollectorRegistry(), cache: nil, token: BearerToken(""),
        logger: Logger(label: "routes"), methodNotAllowed: false)
    return router.routeTable
}
