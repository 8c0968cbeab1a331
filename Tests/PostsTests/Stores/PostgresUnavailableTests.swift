import Foundation
import HummingbirdTesting
import Plinth
import PlinthCore
import PlinthDatabase
import Posts
import PostsCore
import Testing

/// PostgreSQL down at startup: the service still starts and answers, with quick 503s where it needs the database.
@Suite struct PostgresUnavailableTests {
    @Test func serviceStartsAndAnswers503WhileTheDatabaseIsDown() async throws {
        // A loopback port with nothing listening: every connection attempt is refused.
        let url = try PostgresURL("postgres://posts@127.0.0.1:1/posts")
        var config = AppConfig()
        config.database = .postgres(url)
        config.apiToken = TestApp.token
        config.logLevel = .critical
        let app = try await buildApplication(config: config, logger: TestDatabase.logger)
        try await app.test(.router) { client in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            let start = ContinuousClock.now
            let database = try await client.execute(uri: "/health/db", method: .get)
            #expect(database.status == .serviceUnavailable)
            #expect(database.errorID == "service_unavailable")
            for _ in 0..<3 {
                let list = try await client.execute(uri: "/posts", method: .get)
                #expect(list.status == .serviceUnavailable)
                #expect(list.errorID == "service_unavailable")
                #expect(list.headers[.retryAfter] == "1")
                #expect(!list.text.contains("PSQL") && !list.text.contains("127.0.0.1"))
            }
            let created = try await client.write("/posts", .post, json: #"{"title":"t","body":"b"}"#)
            #expect(created.status == .serviceUnavailable)
            // Bounded by the lease timeout (2 s, then 0.2 s while known down), not by a hang.
            #expect(ContinuousClock.now - start < .seconds(10))
        }
    }
}

/// A statement that runs past `DATABASE_TIMEOUT` is cancelled by PostgreSQL and answered with a 503.
@Suite struct PostgresStatementTimeoutTests {
    @Test(.enabled(if: StoreKind.available.contains(.postgres)))
    func aStatementPastTheTimeoutGets503ThenServiceResumes() async throws {
        try await TestDatabase.with(.postgres) { database, store in
            let post = Fixtures.posts(1)[0]
            try await store.upsert([post])
            let config = TestApp.config(database) { config in
                config.databaseTimeout = 0.3
                config.cache = false
            }
            let app = try await buildApplication(config: config, logger: TestDatabase.logger)
            try await app.test(.router) { client in
                guard case .postgres(let url) = database.config else { return }
                // Another session holds the table locked: the app's reads wait for it until the timeout.
                try await TestDatabase.withPostgresClient(url) { session in
                    try await session.withTransaction(logger: TestDatabase.logger) { connection in
                        try await connection.query("LOCK TABLE posts IN ACCESS EXCLUSIVE MODE", logger: TestDatabase.logger)
                        let start = ContinuousClock.now
                        for uri in ["/posts", "/posts/\(post.id.lowercasedString)"] {
                            let response = try await client.execute(uri: uri, method: .get)
                            #expect(response.status == .serviceUnavailable)
                            #expect(response.errorID == "service_unavailable")
                            #expect(response.text.contains("did not answer in time"))
                            #expect(!response.text.contains("57014") && !response.text.contains("PSQL"))
                        }
                        #expect(ContinuousClock.now - start < .seconds(5))
                    }
                }
                let list = try await client.execute(uri: "/posts", method: .get)
                #expect(list.status == .ok)
                #expect(list.array.count == 1)
            }
        }
    }
}
