import Foundation
import HTTPTypes
import HummingbirdTesting
import Plinth
import PlinthCore
import PlinthDatabase
import Posts
import PostsCore
import Testing

/// Heroku-style `Range` pagination of `GET /posts`.
@Suite struct PostsPaginationTests {
    /// Follows `Next-Range` from `range` to the end; returns every id seen, in order, and the page count.
    static func walk(_ client: some TestClientProtocol, range: String) async throws -> (ids: [String], pages: Int) {
        var ids: [String] = []
        var next: String? = range
        var pages = 0
        while let range = next, pages < 1000 {
            let response = try await client.execute(uri: "/posts", method: .get, headers: [.range: range])
            #expect(response.status == .ok || response.status == .partialContent)
            ids += response.array.map { $0["id"] as! String }
            next = response.headers[.nextRange]
            #expect((next != nil) == (response.status == .partialContent))
            pages += 1
        }
        return (ids, pages)
    }

    @Test(arguments: StoreKind.available)
    func walkingNextRangeNeverSkipsOrRepeatsEvenWithinOneSecond(kind: StoreKind) async throws {
        let posts = Fixtures.posts(57, perSecond: 10)
        let expected = posts.sorted { ($0.createdAt, $0.id.lowercasedString) < ($1.createdAt, $1.id.lowercasedString) }.map(\.id.lowercasedString)
        try await TestApp.with(kind, seed: posts) { client, _ in
            let ascending = try await Self.walk(client, range: "created_at ..; max=4")
            #expect(ascending.ids == expected)
            #expect(ascending.pages == 15)
            let descending = try await Self.walk(client, range: "created_at ..; max=6, order=desc")
            #expect(descending.ids == expected.reversed())
            let byID = try await Self.walk(client, range: "id ..; max=5")
            #expect(byID.ids == expected.sorted())
        }
    }

    @Test func defaultPageIs200WithNextRange() async throws {
        try await TestApp.with(.sqlite, seed: Fixtures.posts(250, perSecond: 3)) { client, _ in
            let first = try await client.execute(uri: "/posts", method: .get)
            #expect(first.status == .partialContent)
            #expect(first.array.count == 200)
            let next = try #require(first.headers[.nextRange])
            #expect(next.hasPrefix("created_at ]") && next.hasSuffix("..; max=200"))
            let rest = try await client.execute(uri: "/posts", method: .get, headers: [.range: next])
            #expect(rest.status == .ok)
            #expect(rest.array.count == 50)
            #expect(rest.headers[.nextRange] == nil)
            #expect(first.headers[.acceptRanges] == "created_at, id")
        }
    }

    @Test func maxIsCappedAt1000() async throws {
        try await TestApp.with(.sqlite, seed: Fixtures.posts(1005, perSecond: 7)) { client, _ in
            let response = try await client.execute(uri: "/posts", method: .get, headers: [.range: "created_at ..; max=5000"])
            #expect(response.status == .partialContent)
            #expect(response.array.count == 1000)
            #expect(response.headers[.nextRange]?.hasSuffix("; max=1000") == true)
        }
    }

    @Test func startAndEndValuesSelectASpan() async throws {
        let posts = Fixtures.posts(10)  // one per second from 2015-03-01T12:00:52Z
        try await TestApp.with(.sqlite, seed: posts) { client, _ in
            let response = try await client.execute(
                uri: "/posts",
                method: .get,
                headers: [.range: "created_at 2015-03-01T12:00:54Z..2015-03-01T12:00:57Z"]
            )
            #expect(response.status == .ok)
            #expect(response.array.map { $0["title"] as! String } == ["Post 2", "Post 3", "Post 4", "Post 5"])
            let exclusive = try await client.execute(uri: "/posts", method: .get, headers: [.range: "created_at ]2015-03-01T12:00:59Z..; max=10"])
            #expect(exclusive.array.map { $0["title"] as! String } == ["Post 8", "Post 9"])
        }
    }

    @Test(arguments: [
        "bogus ..", "created_at ..; max=0", "created_at ..; max=-3", "created_at ..; max=ten",
        "created_at ..; order=sideways", "created_at ..; limit=5", "created_at yesterday..", "id not-a-uuid..",
        "created_at ]..", "created_at 2015-03-01T12:00:52Z/nope..", "created_at 2015-13-01T12:00:52Z..",
        "id 1' OR '1'='1..", "created_at '; DROP TABLE posts; --..",
    ])
    func malformedRangeIs416(range: String) async throws {
        try await TestApp.with(.sqlite, seed: Fixtures.posts(3)) { client, store in
            let response = try await client.execute(uri: "/posts", method: .get, headers: [.range: range])
            #expect(response.status == .rangeNotSatisfiable)
            #expect(response.errorID == "requested_range_not_satisfiable")
            #expect((response.object["message"] as? String)?.contains("Range") == true)
            #expect(try await store.count() == 3)
        }
    }
}
