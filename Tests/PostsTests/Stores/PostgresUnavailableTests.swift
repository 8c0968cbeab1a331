import Foundation
import HummingbirdTesting
import Plinth
import Posts
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
