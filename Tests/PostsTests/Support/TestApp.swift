import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Plinth
import PlinthCore
import PlinthDatabase
import PlinthTesting
import Posts
import PostsCore

/// Runs endpoint tests through `buildApplication`, on a fresh database of `kind`.
enum TestApp {
    static let token = "test-token"

    static func config(_ database: TestDatabase, customize: (inout AppConfig) -> Void = { _ in }) -> AppConfig {
        var config = AppConfig()
        config.database = database.config
        config.apiToken = token
        config.host = "127.0.0.1"
        config.port = 0
        config.logLevel = .warning
        customize(&config)
        return config
    }

    /// Seeds `posts`, then runs `test` against the app's router.
    static func with(
        _ kind: StoreKind,
        seed posts: [Post] = [],
        customize: @escaping @Sendable (inout AppConfig) -> Void = { _ in },
        _ test: @escaping @Sendable (any TestClientProtocol, PostStore) async throws -> Void
    ) async throws {
        try await TestDatabase.with(kind) { database, store in
            if !posts.isEmpty { try await store.upsert(posts) }
            let app = try await buildApplication(config: config(database, customize: customize), logger: TestDatabase.logger)
            try await app.test(.router) { client in try await test(client, store) }
        }
    }
}

extension TestApp {
    /// The app on the toolkit's throwaway database of `store`, with the database beside it: what the
    /// suites `plinth generate` writes call, as in a generated app.
    static func with(store: TestStore, _ test: @escaping @Sendable (any TestClientProtocol, Database) async throws -> Void) async throws {
        try await PlinthTesting.TestDatabase.with(store, migrations: AppMigrations.all) { database, opened in
            var config = AppConfig()
            config.database = database
            config.apiToken = token
            config.logLevel = .warning
            let app = try await buildApplication(config: config, logger: TestDatabase.logger)
            try await app.test(.router) { client in try await test(client, opened) }
        }
    }
}

extension TestClientProtocol {
    /// Sends a write with the test token and a JSON body.
    @discardableResult
    func write(_ uri: String, _ method: HTTPRequest.Method, json: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields: HTTPFields = [.authorization: "Bearer \(TestApp.token)", .contentType: "application/json"]
        for field in headers { fields[field.name] = field.value }
        return try await execute(uri: uri, method: method, headers: fields, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body as a JSON object.
    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:] }

    /// The body as a JSON array of objects.
    var array: [[String: Any]] { (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [[String: Any]] ?? [] }

    /// The Pliny error id of an error body.
    var errorID: String? { object["id"] as? String }
}
