import Foundation
import Logging
import PlinthCore
import PlinthDatabase
import PlinthTesting
import PostgresNIO
import Posts
import PostsCore

/// The stores the suites run against: SQLite always, PostgreSQL when the test script gives a server.
enum StoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    /// `POSTS_TEST_DATABASE_URL` names a PostgreSQL server (its maintenance database) to create
    /// throwaway databases on. Under CI it must be set: a missing server fails instead of skipping.
    static var available: [StoreKind] {
        let environment = ProcessInfo.processInfo.environment
        if environment["POSTS_TEST_DATABASE_URL"] != nil || environment["CI"] == "true" { return [.sqlite, .postgres] }
        return [.sqlite]
    }

    var description: String { rawValue }
}

/// A fresh, migrated, empty database of one kind, removed afterwards.
struct TestDatabase: Sendable {
    let kind: StoreKind
    let config: DatabaseConfig
    private let cleanup: @Sendable () async throws -> Void

    static let logger = Logger(label: "tests") { _ in SwiftLogNoOpLogHandler() }

    /// Creates the database and runs `body` with a migrated store on it.
    static func with<Result: Sendable>(
        _ kind: StoreKind,
        migrated: Bool = true,
        _ body: @Sendable (TestDatabase, PostStore) async throws -> Result
    ) async throws -> Result {
        let database = try await make(kind)
        do {
            let result = try await database.withDatabase { opened in
                if migrated { try await opened.migrate(AppMigrations.all, logger: Self.logger) }
                return try await body(database, PostStore(database: opened))
            }
            try await database.cleanup()
            return result
        } catch {
            try? await database.cleanup()
            throw error
        }
    }

    /// Runs `body` with this database opened (a pool of its own), its services running meanwhile.
    func withDatabase<Result: Sendable>(_ body: @Sendable (Database) async throws -> Result) async throws -> Result {
        let database = try Database.open(config, options: DatabaseOptions(poolSize: 4), logger: Self.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for service in database.services { group.addTask { try await service.run() } }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }

    /// Runs `body` with a post store on this database.
    func withStore<Result: Sendable>(_ body: @Sendable (PostStore) async throws -> Result) async throws -> Result {
        try await withDatabase { try await body(PostStore(database: $0)) }
    }

    private static func make(_ kind: StoreKind) async throws -> TestDatabase {
        switch kind {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("posts-tests-\(UUID().uuidString)")
            let path = directory.appendingPathComponent("posts.sqlite").path
            return TestDatabase(kind: kind, config: .sqlite(.file(path))) {
                try FileManager.default.removeItem(at: directory)
            }
        case .postgres:
            guard let adminText = ProcessInfo.processInfo.environment["POSTS_TEST_DATABASE_URL"] else {
                throw TestSetupError("POSTS_TEST_DATABASE_URL is not set: run the tests with scripts/test, which starts PostgreSQL")
            }
            let admin = try PostgresURL(adminText)
            let name = "posts_test_\(UUID().uuidString.prefix(8).lowercased())"
            try await Self.adminQuery(admin, "CREATE DATABASE \(name)")
            var url = admin
            url.database = name
            return TestDatabase(kind: kind, config: .postgres(url)) {
                try await Self.adminQuery(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            }
        }
    }

    private static func adminQuery(_ admin: PostgresURL, _ sql: String) async throws {
        try await withPostgresClient(admin) { client in _ = try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
    }

    /// Runs `body` with a PostgreSQL client of its own on `url`: another session, outside the app.
    static func withPostgresClient<Result: Sendable>(
        _ url: PostgresURL,
        _ body: @Sendable (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(
            configuration: .init(host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: .disable),
            backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}

extension TestDatabase {
    /// The toolkit's throwaway database, for the suites `plinth generate` writes (as in a generated app).
    static func with<Result: Sendable>(
        _ store: TestStore,
        migrations: [Migration],
        _ body: @Sendable (DatabaseConfig, Database) async throws -> Result
    ) async throws -> Result {
        try await PlinthTesting.TestDatabase.with(store, migrations: migrations, body)
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Posts with fixed ids and timestamps for tests.
enum Fixtures {
    static let fixtureURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("bench/posts.json")

    /// The 100 benchmark posts.
    static func benchmarkPosts() throws -> Data { try Data(contentsOf: fixtureURL) }

    /// `count` posts, `perSecond` of them sharing each `created_at` second.
    static func posts(_ count: Int, perSecond: Int = 1, start: Int64 = 1_425_211_252) -> [Post] {
        (0..<count).map { index in
            let created = Timestamp(secondsSince1970: start + Int64(index / perSecond))
            return Post(id: UUID(), title: "Post \(index)", body: "Body \(index)", createdAt: created, updatedAt: created)
        }
    }
}
