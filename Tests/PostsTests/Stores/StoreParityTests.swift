import Foundation
import HummingbirdTesting
import NIOCore
import Plinth
import PlinthCore
import PlinthDatabase
import Posts
import PostsCore
import Testing

/// The same writes on SQLite and PostgreSQL must give byte-identical `GET /posts` bodies.
@Suite struct StoreParityTests {
    /// Seeds the fixture, applies a fixed write sequence, and returns every page of `GET /posts`.
    static func bodies(_ kind: StoreKind) async throws -> [String] {
        let fixture = try Fixtures.benchmarkPosts()
        return try await TestDatabase.with(kind) { database, store in
            try await SeedLoader(store: store).load(fixture)
            let base = Timestamp(iso8601: "2016-01-01T00:00:00Z")!
            let extra = (0..<25).map { index in
                Post(
                    id: UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", index))!,
                    title: "Same second \(index) \u{1F680} \"q\" \\ <b>",
                    body: "Кириллица\n\ttab \(index)",
                    createdAt: base,  // all in one second: the id breaks ties
                    updatedAt: base
                )
            }
            for post in extra { try await store.insert(post) }
            let listed = try await store.list(ListQuery(limit: 1000))
            _ = try await store.update(
                id: listed[3].id, title: "Renamed", body: nil, updatedAt: Timestamp(secondsSince1970: base.secondsSince1970 + 5))
            _ = try await store.update(
                id: extra[7].id, title: nil, body: "New body", updatedAt: Timestamp(secondsSince1970: base.secondsSince1970 + 6))
            _ = try await store.delete(id: listed[10].id)
            _ = try await store.delete(id: extra[2].id)
            let app = try await buildApplication(config: TestApp.config(database), logger: TestDatabase.logger)
            return try await app.test(.router) { client in
                var pages: [String] = []
                var range: String? = "created_at ..; max=30"
                while let next = range {
                    let response = try await client.execute(uri: "/posts", method: .get, headers: [.range: next])
                    pages.append(String(buffer: response.body))
                    range = response.headers[.nextRange]
                }
                pages.append(String(buffer: try await client.execute(uri: "/posts", method: .get).body))
                return pages
            }
        }
    }

    @Test(.enabled(if: StoreKind.available.contains(.postgres)))
    func sameWritesGiveIdenticalBodies() async throws {
        let sqlite = try await Self.bodies(.sqlite)
        let postgres = try await Self.bodies(.postgres)
        #expect(sqlite.count == 6)  // 123 posts: five pages of up to 30, then the whole list
        #expect(sqlite == postgres)
        #expect(sqlite.last?.contains(#""title":"Renamed""#) == true)
        #expect(sqlite.last?.contains(#"Same second 3 🚀 \"q\" \\ <b>"#) == true)
    }
}
