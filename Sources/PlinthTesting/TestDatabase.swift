import Foundation
import Logging
import PlinthDatabase
import PostgresNIO

/// The databases an app's suites run against: SQLite always, PostgreSQL when the environment
/// names a server (`scripts/test` starts one). Under CI it must: a missing server fails the
/// PostgreSQL half instead of skipping it.
public enum TestStore: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    /// The variable naming the PostgreSQL server's maintenance database, `postgres://...`.
    public static let environmentKey = "TEST_DATABASE_URL"

    /// SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set or `CI=true`.
    public static var available: [TestStore] {
        let environment = ProcessInfo.processInfo.environment
        return environment[environmentKey] != nil || environment["CI"] == "true" ? [.sqlite, .postgres] : [.sqlite]
    }

    public var description: String { rawValue }
}

/// A fresh database of one kind with every migration applied, removed afterwards: a SQLite file
/// in a temporary directory, or a PostgreSQL database of its own on the test server, so suites
/// running in parallel never see each other's rows.
/// ```swift
/// try await TestDatabase.with(.postgres, migrations: AppMigrations.all) { config, database in
///     let store = WidgetStore(database: database)
///     ...
/// }
/// ```
public enum TestDatabase {
    static let logger = Logger(label: "tests") { _ in SwiftLogNoOpLogHandler() }

    /// Creates and migrates the database, runs `body` with its settings (to build the app on) and
    /// an open handle, then removes it, whether `body` throws or not.
    public static func with<Result: Sendable>(
        _ store: TestStore,
        migrations: [Migration],
        _ body: @Sendable (DatabaseConfig, Database) async throws -> Result
    ) async throws -> Result {
        let (config, cleanup) = try await make(store)
        do {
            let database = try Database.open(config, options: DatabaseOptions(poolSize: 4), logger: logger)
            let result = try await withThrowingTaskGroup(of: Void.self) { group in
                for service in database.services { group.addTask { try await service.run() } }
                defer { group.cancelAll() }
                try await database.migrate(migrations, logger: logger)
                return try await body(config, database)
            }
            try await cleanup()
            return result
        } catch {
            try? await cleanup()
            throw error
        }
    }

    private static func make(_ store: TestStore) async throws -> (DatabaseConfig, @Sendable () async throws -> Void) {
        switch store {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plinth-tests-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return (.sqlite(.file(directory.appendingPathComponent("test.sqlite").path)), { try FileManager.default.removeItem(at: directory) })
        case .postgres:
            guard let text = ProcessInfo.processInfo.environment[TestStore.environmentKey] else {
                throw TestSetupError("\(TestStore.environmentKey) is not set: run the tests with scripts/test, which starts PostgreSQL")
            }
            let admin = try PostgresURL(text)
            let name = "test_\(UUID().uuidString.prefix(8).lowercased())"
            try await adminQuery(admin, "CREATE DATABASE \(name)")
            var url = admin
            url.database = name
            return (.postgres(url), { try await adminQuery(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") })
        }
    }

    private static func adminQuery(_ admin: PostgresURL, _ sql: String) async throws {
        let client = PostgresClient(
            configuration: .init(
                host: admin.host, port: admin.port, username: admin.user, password: admin.password, database: admin.database, tls: .disable),
            backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            _ = try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
    }
}

/// The test environment is not what the suite needs.
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
