import HummingbirdTesting
import PlinthCore
import Posts
import Testing

/// Draining: health checks say 503 so a load balancer moves traffic away; everything else is still served.
@Suite struct DrainTests {
    @Test func drainingHealthChecksAre503AndRequestsStillServed() async throws {
        try await TestDatabase.with(.sqlite) { database, _ in
            let drain = Drain()
            let app = try await buildApplication(config: TestApp.config(database), logger: TestDatabase.logger, drain: drain)
            try await app.test(.router) { client in
                #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
                #expect(drain.begin())
                #expect(!drain.begin())
                let health = try await client.execute(uri: "/health", method: .get)
                #expect(health.status == .serviceUnavailable)
                #expect(String(buffer: health.body) == #"{"id":"service_unavailable","message":"Shutting down."}"#)
                #expect(try await client.execute(uri: "/health/db", method: .get).status == .serviceUnavailable)
                #expect(try await client.execute(uri: "/posts", method: .get).status == .ok)
            }
        }
    }
}
