import Foundation
import HTTPTypes
import HummingbirdTesting
import Plinth
import PlinthCore
import PlinthDatabase
import Posts
import PostsCore
import Testing

/// The `GET /posts` representation cache: served until a write, never stale after one.
@Suite struct PostsCacheTests {
    @Test(arguments: StoreKind.available)
    func everyWriteThroughTheAPIShowsInTheNextList(kind: StoreKind) async throws {
        let post = Fixtures.posts(1)[0]
        try await TestApp.with(kind, seed: [post]) { client, _ in
            let first = try await client.execute(uri: "/posts", method: .get)
            let again = try await client.execute(uri: "/posts", method: .get)
            #expect(again.text == first.text)
            #expect(again.headers[.eTag] == first.headers[.eTag])
            let created = try await client.write("/posts", .post, json: #"{"title":"New","body":"b"}"#)
            let id = try #require(created.object["id"] as? String)
            let afterCreate = try await client.execute(uri: "/posts", method: .get)
            #expect(afterCreate.array.count == 2)
            #expect(afterCreate.headers[.eTag] != first.headers[.eTag])
            let notModified = try await client.execute(uri: "/posts", method: .get, headers: [.ifNoneMatch: first.headers[.eTag]!])
            #expect(notModified.status == .ok)  // the old ETag no longer matches
            try await client.write("/posts/\(id)", .patch, json: #"{"title":"Renamed"}"#)
            #expect(try await client.execute(uri: "/posts", method: .get).text.contains("Renamed"))
            try await client.write("/posts/\(id)", .delete)
            #expect(try await client.execute(uri: "/posts", method: .get).text == first.text)
        }
    }

    /// Another instance's writes reach this one's cache through PostgreSQL's notifications, long
    /// before the cache's maximum age (600 s here) would.
    @Test(.enabled(if: StoreKind.available.contains(.postgres)))
    func writesElsewhereDropTheCacheThroughPostgreSQLNotifications() async throws {
        try await TestApp.with(.postgres, customize: { $0.cacheMaxAge = 600 }) { client, elsewhere in
            // `elsewhere` is a pool of its own on the same database: another instance, `posts seed`.
            // Round 1 may also be seen thanks to the listener's first connect; round 2 needs a notification.
            for round in 1...3 {
                #expect(try await client.execute(uri: "/posts", method: .get).array.count == round - 1)
                try await elsewhere.upsert([Fixtures.posts(1, start: 1_500_000_000 + Int64(round))[0]])
                let deadline = ContinuousClock.now + .seconds(5)
                var seen = round - 1
                while seen != round, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                    seen = try await client.execute(uri: "/posts", method: .get).array.count
                }
                #expect(seen == round)
            }
        }
    }

    @Test func pagesAndPrettyAreCachedSeparately() async throws {
        try await TestApp.with(.sqlite, seed: Fixtures.posts(5)) { client, _ in
            let page = try await client.execute(uri: "/posts", method: .get, headers: [.range: "id ..; max=2"])
            let full = try await client.execute(uri: "/posts", method: .get)
            let pretty = try await client.execute(uri: "/posts?pretty=true", method: .get)
            #expect(page.status == .partialContent && page.array.count == 2 && page.headers[.nextRange] != nil)
            #expect(full.status == .ok && full.array.count == 5)
            #expect(pretty.text.contains("\n") && !full.text.contains("\n"))
            let pageAgain = try await client.execute(uri: "/posts", method: .get, headers: [.range: "id ..; max=2"])
            #expect(pageAgain.text == page.text && pageAgain.headers[.nextRange] == page.headers[.nextRange])
        }
    }

    @Test func cacheOffReadsTheDatabaseEveryTime() async throws {
        try await TestApp.with(.sqlite, seed: Fixtures.posts(1), customize: { $0.cache = false }) { client, store in
            #expect(try await client.execute(uri: "/posts", method: .get).array.count == 1)
            try await store.insert(Fixtures.posts(1, start: 1_500_000_000)[0])  // behind the API's back
            #expect(try await client.execute(uri: "/posts", method: .get).array.count == 2)
        }
    }

    @Test func writesBehindTheAPIShowWithinMaxAge() async throws {
        try await TestApp.with(.sqlite, seed: Fixtures.posts(1)) { client, store in
            #expect(try await client.execute(uri: "/posts", method: .get).array.count == 1)
            try await store.insert(Fixtures.posts(1, start: 1_500_000_000)[0])
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await client.execute(uri: "/posts", method: .get).array.count == 2)
        }
    }
}

/// Overload: store calls past DB_MAX_IN_FLIGHT are refused at once, and nothing is half-done.
@Suite struct OverloadTests {
    @Test(arguments: StoreKind.available)
    func excessWritesGet503AndEveryAcknowledgedOneLands(kind: StoreKind) async throws {
        try await TestApp.with(kind, customize: { $0.databaseMaxInFlight = 2 }) { client, store in
            let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for index in 0..<60 {
                    group.addTask {
                        let response = try await client.write("/posts", .post, json: #"{"title":"Load \#(index)","body":"b"}"#)
                        if response.status.code == 503 {
                            #expect(response.errorID == "service_unavailable")
                            #expect(response.headers[.retryAfter] == "1")
                        }
                        return (response.status, response.object["id"] as? String)
                    }
                }
                return try await group.reduce(into: [(HTTPResponse.Status, String?)]()) { $0.append($1) }
            }
            let created = statuses.filter { status, _ in status.code == 201 }
            let refused = statuses.filter { status, _ in status.code == 503 }
            #expect(created.count + refused.count == 60)
            #expect(!created.isEmpty)
            #expect(try await store.count() == created.count)
            // Health is never refused.
            #expect(try await client.execute(uri: "/health/db", method: .get).status == .ok)
        }
    }
}
