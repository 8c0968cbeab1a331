import Logging
import NIOCore
import PlinthCore
import PlinthDatabase

/// Every setting a Plinth service reads from the environment (Pliny style), for any app.
///
/// An app names itself (`app`), which picks its embedded SQLite file, `./data/<app>.sqlite`.
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `PORT` | integer 1–65535 | `5000` | TCP port to listen on |
/// | `HOST` | string | `0.0.0.0` | address to bind |
/// | `DATABASE_URL` | URL | unset: SQLite file `./data/<app>.sqlite` | `sqlite:///abs/path`, `sqlite::memory:` or `postgres://user:pass@host:port/db` |
/// | `DATABASE_REPLICA_URL` | URL | unset | a streaming replica of the PostgreSQL `DATABASE_URL`: reads go to it whenever it has replayed every write this instance made or heard of, else to the primary |
/// | `DB_POOL` | integer ≥ 1 | 2 per core | most PostgreSQL connections; most store calls run at once (2 × `DB_POOL` on PostgreSQL, half waiting in its pool) |
/// | `DB_MAX_IN_FLIGHT` | integer ≥ 1 | `4096` | most store calls waiting their turn (each waits ≤ 5 s); more are refused with 503 + `Retry-After` |
/// | `DATABASE_TIMEOUT` | seconds > 0 | `10` | PostgreSQL statement timeout; past it the request gets 503 |
/// | `DB_IDLE_TIMEOUT` | seconds > 0 | `1` | a PostgreSQL connection idle this long is closed (the pool reopens one on demand) |
/// | `API_TOKEN` | string | unset: a random token, logged once at start | bearer token required by writes |
/// | `LOG_LEVEL` | trace, debug, info, notice, warning, error, critical | `info` | `warning` silences the per-request lines |
/// | `PRETTY_JSON` | bool | `false` | indent JSON bodies (per request: `?pretty=true`) |
/// | `RAISE_ERRORS` | bool | `false` | let unexpected errors propagate instead of answering 500 |
/// | `TIMEOUT` | seconds ≥ 0 | `10` | a request running longer gets 503 `request_timeout`; `0` turns it off |
/// | `HEADER_TIMEOUT` | seconds > 0 | `10` | a connection whose request headers are not all in by then is closed |
/// | `CORS_ORIGINS` | comma list | `*` | origins allowed cross-origin; `*` = any, without credentials |
/// | `VERSIONING` | bool | `true` | read the API version from `Accept: application/vnd.posts+json; version=N` |
/// | `VERSIONING_DEFAULT` | integer | `1` | the version when the client names none |
/// | `CACHE` | bool (`on`/`off`) | `on` | keep serialized `GET /posts` pages in memory until the next write |
/// | `CACHE_MAX_AGE` | seconds > 0 | `1` | the longest a cached page is kept: what a write this instance does not hear of can leave stale (PostgreSQL's notifications reach every instance; SQLite has none) |
/// | `BACKLOG` | integer ≥ 1 | `4096` | listen backlog (the kernel caps it at `net.core.somaxconn`) |
/// | `MAX_CONCURRENT_REQUESTS` | integer ≥ 1 | 32 per core | requests running at once; the rest wait their turn (up to `TIMEOUT`) |
/// | `MAX_WAITING_REQUESTS` | integer ≥ 0 | `65536` | requests waiting for a turn; past it, 503 + `Retry-After` at once |
/// | `SHUTDOWN_GRACE` | seconds ≥ 0 | `5` | after SIGTERM, health checks answer 503 this long while requests are still served, then the server stops accepting, finishes what is in flight and exits (SIGINT stops at once) |
public struct ServiceConfig: Sendable {
    /// The app's name, as its command is called.
    public var appName: String
    /// `PORT`.
    public var port: Int = 5000
    /// `HOST`.
    public var host: String = "0.0.0.0"
    /// `SHUTDOWN_GRACE`: a little longer than a load balancer takes to mark an instance down (HAProxy's
    /// default `inter 2s`, `fall 2`).
    public var shutdownGrace: Double = 5
    /// `DATABASE_URL`, parsed.
    public var database: DatabaseConfig
    /// `DATABASE_REPLICA_URL`, parsed.
    public var databaseReplica: PostgresURL?
    /// `DB_POOL`.
    public var databasePoolSize: Int = 2 * System.coreCount
    /// `DB_MAX_IN_FLIGHT`.
    public var databaseMaxInFlight: Int = 4096
    /// `DATABASE_TIMEOUT`, in seconds.
    public var databaseTimeout: Double = 10
    /// `DB_IDLE_TIMEOUT`, in seconds.
    public var databaseIdleTimeout: Double = 1
    /// `API_TOKEN`; `nil` makes the server generate one.
    public var apiToken: String?
    /// `LOG_LEVEL`.
    public var logLevel: Logger.Level = .info
    /// `PRETTY_JSON`.
    public var prettyJSON: Bool = false
    /// `RAISE_ERRORS`.
    public var raiseErrors: Bool = false
    /// `BACKLOG`.
    public var backlog: Int = 4096
    /// `CACHE`.
    public var cache: Bool = true
    /// `CACHE_MAX_AGE`, in seconds.
    public var cacheMaxAge: Double = 1
    /// `TIMEOUT`, in seconds; 0 = off.
    public var timeout: Double = 10
    /// `HEADER_TIMEOUT`, in seconds.
    public var headerTimeout: Double = 10
    /// `CORS_ORIGINS`.
    public var corsOrigins: [String] = ["*"]
    /// `VERSIONING`.
    public var versioning: Bool = true
    /// `VERSIONING_DEFAULT`.
    public var versioningDefault: Int = 1
    /// `MAX_CONCURRENT_REQUESTS`.
    public var maxConcurrentRequests: Int = 32 * System.coreCount
    /// `MAX_WAITING_REQUESTS`.
    public var maxWaitingRequests: Int = 65536

    /// The database settings, as the database layer takes them.
    public var databaseOptions: DatabaseOptions {
        DatabaseOptions(
            poolSize: databasePoolSize,
            maxWaiting: databaseMaxInFlight,
            statementTimeout: .milliseconds(Int64(databaseTimeout * 1000)),
            idleTimeout: .milliseconds(Int64(databaseIdleTimeout * 1000))
        )
    }

    /// Where the embedded default of app `app` keeps its data.
    public static func defaultSQLitePath(app: String) -> String { "./data/\(app).sqlite" }

    /// The defaults of app `app`, for tests and embedding.
    public init(app: String) {
        appName = app
        database = .sqlite(.file(Self.defaultSQLitePath(app: app)))
    }

    /// Reads every key from `env` for app `app`; throws ``ConfigError`` naming the first bad one.
    public init(env: Env, app: String) throws {
        appName = app
        port = try env.value("PORT", default: Port(5000)).value
        host = try env.value("HOST", default: "0.0.0.0")
        database = try env.optional("DATABASE_URL", as: DatabaseConfig.self) ?? .sqlite(.file(Self.defaultSQLitePath(app: app)))
        switch (try env.optional("DATABASE_REPLICA_URL", as: DatabaseConfig.self), database) {
        case (nil, _): databaseReplica = nil
        case (.postgres(let replica), .postgres): databaseReplica = replica
        case (.postgres, .sqlite):
            throw ConfigError(
                key: "DATABASE_REPLICA_URL", value: env.values["DATABASE_REPLICA_URL"] ?? "", problem: "needs a PostgreSQL DATABASE_URL (its primary)"
            )
        case (.sqlite, _):
            throw ConfigError(key: "DATABASE_REPLICA_URL", value: env.values["DATABASE_REPLICA_URL"] ?? "", problem: "must be a postgres:// URL")
        }
        databasePoolSize = try env.value("DB_POOL", default: 2 * System.coreCount)
        guard databasePoolSize >= 1 else { throw ConfigError(key: "DB_POOL", value: String(databasePoolSize), problem: "must be at least 1") }
        databaseMaxInFlight = try env.value("DB_MAX_IN_FLIGHT", default: 4096)
        guard databaseMaxInFlight >= 1 else {
            throw ConfigError(key: "DB_MAX_IN_FLIGHT", value: String(databaseMaxInFlight), problem: "must be at least 1")
        }
        databaseTimeout = try env.value("DATABASE_TIMEOUT", default: 10.0)
        guard databaseTimeout > 0 else {
            throw ConfigError(
                key: "DATABASE_TIMEOUT", value: try env.optional("DATABASE_TIMEOUT") ?? "", problem: "must be a number of seconds above 0")
        }
        databaseIdleTimeout = try env.value("DB_IDLE_TIMEOUT", default: 1.0)
        guard databaseIdleTimeout > 0 else {
            throw ConfigError(
                key: "DB_IDLE_TIMEOUT", value: try env.optional("DB_IDLE_TIMEOUT") ?? "", problem: "must be a number of seconds above 0")
        }
        apiToken = try env.optional("API_TOKEN")
        logLevel = try env.value("LOG_LEVEL", default: LogLevel(.info)).level
        prettyJSON = try env.value("PRETTY_JSON", default: false)
        raiseErrors = try env.value("RAISE_ERRORS", default: false)
        backlog = try env.value("BACKLOG", default: 4096)
        cache = try env.value("CACHE", default: true)
        cacheMaxAge = try env.value("CACHE_MAX_AGE", default: 1.0)
        guard cacheMaxAge > 0 else {
            throw ConfigError(key: "CACHE_MAX_AGE", value: try env.optional("CACHE_MAX_AGE") ?? "", problem: "must be a number of seconds above 0")
        }
        shutdownGrace = try env.value("SHUTDOWN_GRACE", default: 5.0)
        guard shutdownGrace >= 0 else {
            throw ConfigError(key: "SHUTDOWN_GRACE", value: try env.optional("SHUTDOWN_GRACE") ?? "", problem: "must be 0 or a number of seconds")
        }
        timeout = try env.value("TIMEOUT", default: 10.0)
        guard timeout >= 0 else {
            throw ConfigError(key: "TIMEOUT", value: try env.optional("TIMEOUT") ?? "", problem: "must be 0 (off) or a number of seconds")
        }
        headerTimeout = try env.value("HEADER_TIMEOUT", default: 10.0)
        guard headerTimeout > 0 else {
            throw ConfigError(key: "HEADER_TIMEOUT", value: try env.optional("HEADER_TIMEOUT") ?? "", problem: "must be a number of seconds above 0")
        }
        corsOrigins = try env.value("CORS_ORIGINS", default: CommaList(["*"])).items
        versioning = try env.value("VERSIONING", default: true)
        versioningDefault = try env.value("VERSIONING_DEFAULT", default: 1)
        guard backlog >= 1 else { throw ConfigError(key: "BACKLOG", value: String(backlog), problem: "must be at least 1") }
        // More running at once buys nothing on a CPU-bound request: at c=10,000 on two cores, 64
        // served as many requests per second as 256 with 9-20 MB less peak RSS (bench/README.md).
        maxConcurrentRequests = try env.value("MAX_CONCURRENT_REQUESTS", default: 32 * System.coreCount)
        guard maxConcurrentRequests >= 1 else {
            throw ConfigError(key: "MAX_CONCURRENT_REQUESTS", value: String(maxConcurrentRequests), problem: "must be at least 1")
        }
        maxWaitingRequests = try env.value("MAX_WAITING_REQUESTS", default: 65536)
        guard maxWaitingRequests >= 0 else {
            throw ConfigError(key: "MAX_WAITING_REQUESTS", value: String(maxWaitingRequests), problem: "must be 0 or more")
        }
    }
}

/// `LOG_LEVEL` as an environment value.
struct LogLevel: EnvValue {
    let level: Logger.Level

    init(_ level: Logger.Level) { self.level = level }

    init(envValue: String) throws {
        let name = envValue.lowercased() == "warn" ? "warning" : envValue.lowercased()
        guard let level = Logger.Level(rawValue: name) else {
            throw EnvValueProblem("must be one of trace, debug, info, notice, warning, error, critical")
        }
        self.level = level
    }
}
