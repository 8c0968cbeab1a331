import Foundation
import Logging
import Plinth
import PostgresNIO
import Posts

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
        _ body: @Sendable (TestDatabase, any PostStore) async throws -> Result
    ) async throws -> Result {
        let database = try await make(kind)
        do {
            let result = try await database.withStore { store in
                if migrated { try await store.migrate() }
                return try await body(database, store)
            }
            try await database.cleanup()
            return result
        } catch {
            try? await database.cleanup()
            throw error
        }
    }

    /// Runs `body` with a store on this database, its services running meanwhile.
    func withStore<Result: Sendable>(_ body: @Sendable (any PostStore) async throws -> Result) async throws -> Result {
        let database = try await makeDatabase(config, poolSize: 4, logger: Self.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for service in database.services { group.addTask { try await service.run() } }
            defer { group.cancelAll() }
            return try await body(database.store)
        }
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
        let store = PostgresPostStore(url: admin, poolSize: 1, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.client.run() }
            defer { group.cancelAll() }
            try await store.client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
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
