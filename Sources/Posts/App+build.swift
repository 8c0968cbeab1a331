import Foundation
import Hummingbird
import Logging
import NIOCore
import Plinth
import Prometheus
import ServiceLifecycle

/// The composition root: picks the store, assembles the middleware stack and the routes.
///
/// Called by `posts serve` and by the tests; the only place that reads the assembled config.
public func buildApplication(config: AppConfig, logger: Logger? = nil) async throws -> some ApplicationProtocol {
    var logger = logger ?? makeLogger("posts", level: config.logLevel)
    logger.logLevel = config.logLevel  // LOG_LEVEL rules whatever logger is passed in
    let database = try await makeDatabase(
        config.database,
        poolSize: config.databasePoolSize,
        statementTimeout: .milliseconds(Int64(config.databaseTimeout * 1000)),
        idleTimeout: .milliseconds(Int64(config.databaseIdleTimeout * 1000)),
        logger: logger
    )
    if case .sqlite = config.database { try await database.store.migrate() }
    let cache = config.cache ? RepresentationCache(maxAge: .milliseconds(Int64(config.cacheMaxAge * 1000))) : nil
    var services = database.services + [MemoryTrimmer()]
    if let cache, let postgres = database.store as? PostgresPostStore {
        // Writes made elsewhere (another instance, `posts seed`) drop this instance's cached pages.
        services.append(PostgresChangeListener(store: postgres, logger: logger, onChange: cache.invalidate))
    }
    let router = buildRouter(config: config, store: database.store, cache: cache, token: try apiToken(config, logger: logger), logger: logger)
    let responder = router.buildResponder()
    return Application(
        responder: responder,
        // SwiftNIO's HTTP/1 served from the event loop, a task per request (not per connection),
        // head limits (414/431 JSON), a header-read timeout, and the work of a request cancelled
        // when its client leaves.
        // At most 256 requests run at once; the rest wait in turn, up to TIMEOUT, without a task.
        // Past the bound a quick 503, answered by RescueErrors so it gets CORS and a log line.
        server: .plinthHTTP1(
            responder: responder,
            headerTimeout: .milliseconds(Int64(config.headerTimeout * 1000)),
            idleTimeout: .seconds(60),
            admission: ConcurrencyLimiter(
                limit: 256, queueLimit: 65536, maxWait: .milliseconds(Int64((config.timeout > 0 ? config.timeout : 30) * 1000)))
        ),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: nil, backlog: config.backlog),
        services: services,
        onServerRunning: { channel in
            // Hummingbird leaves SwiftNIO's default of 4 accepts per event-loop tick on the listening
            // socket; under load new connections then wait seconds in the kernel queue (measured: c=1,000
            // p99 ~4.4 s). Accept them in big batches instead, as Vapor does (256).
            try? await channel.setOption(ChannelOptions.maxMessagesPerRead, value: 4096).get()
        },
        logger: logger
    )
}

/// The router with its middleware, in Pliny's order, and every route.
func buildRouter(
    config: AppConfig,
    store: any PostStore,
    cache: RepresentationCache?,
    token: BearerToken,
    logger: Logger,
    methodNotAllowed: Bool = true
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    let registry = PrometheusCollectorRegistry()
    let callLimit = store is PostgresPostStore ? PostgresPostStore.callLimit(poolSize: config.databasePoolSize) : config.databasePoolSize
    let store = MeasuredPostStore(
        LimitedPostStore(store, limit: callLimit, queueLimit: config.databaseMaxInFlight),
        registry: registry
    )
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

    HealthEndpoints<AppRequestContext>(checkDatabase: store.checkHealth).addRoutes(to: router)
    SchemaEndpoint<AppRequestContext>(document: schemaDocument).addRoutes(to: router)
    MetricsEndpoint<AppRequestContext>(registry: registry).addRoutes(to: router)
    PostsEndpoints(store: store, token: token, prettyJSON: config.prettyJSON, cache: cache)
        .addRoutes(to: router)
    if methodNotAllowed { router.addMethodNotAllowedResponders() }
    return router
}

/// The OpenAPI 3.1 document of this API (`Sources/Posts/Resources/schema.json`), loaded once.
let schemaDocument: ByteBuffer = {
    guard let url = Bundle.module.url(forResource: "schema", withExtension: "json"), let data = try? Data(contentsOf: url) else {
        preconditionFailure("schema.json is missing from the Posts bundle")
    }
    return ByteBuffer(bytes: data)
}()

/// A store and the services it needs running (none for SQLite; the client for PostgreSQL).
public struct Database: Sendable {
    /// The store.
    public let store: any PostStore
    /// Services to run alongside the server.
    public let services: [any Service]
}

/// Opens the database `config` names.
public func makeDatabase(
    _ config: DatabaseConfig,
    poolSize: Int,
    statementTimeout: Duration = .seconds(10),
    idleTimeout: Duration = .seconds(1),
    logger: Logger
) async throws -> Database {
    switch config {
    case .sqlite(let location):
        return Database(store: try SQLitePostStore(location: location), services: [])
    case .postgres(let url):
        let store = PostgresPostStore(url: url, poolSize: poolSize, statementTimeout: statementTimeout, idleTimeout: idleTimeout, logger: logger)
        return Database(store: store, services: [store.client, PostgresProbe(store: store, url: url, logger: logger)])
    }
}

/// The configured token, or a random one announced once in the log so a newcomer can try writes.
func apiToken(_ config: AppConfig, logger: Logger) throws -> BearerToken {
    if let token = config.apiToken { return BearerToken(token) }
    var generator = SystemRandomNumberGenerator()
    let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    logger.notice("API_TOKEN is not set; writes need this generated token", metadata: ["api_token": .string(token)])
    return BearerToken(token)
}

/// A logger writing logfmt lines to standard output.
public func makeLogger(_ label: String, level: Logger.Level) -> Logger {
    Logger(label: label) { label in LogfmtLogHandler(label: label, level: level) }
}

/// `METHOD /path` for every route the app serves, for `posts routes`.
public func routeTable() -> [String] {
    // The router needs a store to be built; an unmigrated in-memory one is never queried here.
    guard let store = try? SQLitePostStore(location: .memory) else { return [] }
    let router = buildRouter(
        config: AppConfig(), store: store, cache: nil, token: BearerToken(""), logger: Logger(label: "routes"), methodNotAllowed: false)
    return router.routes.map { "\($0.method.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \($0.path)" }
}
