import Foundation
import HTTPTypes
import HummingbirdTesting
import Plinth
import Posts
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
