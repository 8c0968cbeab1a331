import Foundation
import NIOConcurrencyHelpers
import Plinth
import PlinthCore
import PlinthDatabase
import Posts
import PostsCore
import Testing

/// What every `PostStore` must do, run against each store.
@Suite struct PostStoreContractTests {
    @Test(arguments: StoreKind.available)
    func insertThenFindRoundTripsExactly(kind: StoreKind) async throws {
        try await TestDatabase.with(kind) { _, store in
            let post = Post(
                id: UUID(),
                title: "Нагрузочное 🚀 \"quoted\" back\\slash",
                body: "Line one\nLine two\ttabbed <script>alert('x')</script> & friends",
                createdAt: Timestamp(iso8601: "2015-03-01T12:00:52Z")!,
                updatedAt: Timestamp(iso8601: "2015-03-02T08:00:52Z")!
            )
            try await store.insert(post)
            #expect(try await store.find(id: post.id) == post)
            #expect(try await store.find(id: UUID()) == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func timestampsRoundTripAcrossEpochs(kind: StoreKind) async throws {
        try await TestDatabase.with(kind) { _, store in
            for text in ["1969-12-31T23:59:59Z", "1999-12-31T23:59:59Z", "2000-01-01T00:00:00Z", "2038-01-19T03:14:08Z", "9999-12-31T23:59:59Z"] {
                let time = try #require(Timestamp(iso8601: text))
                let post = Post(id: UUID(), title: "t", body: "b", createdAt: time, updatedAt: time)
                try await store.insert(post)
                #expect(try await store.find(id: post.id)?.createdAt.iso8601 == text)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func listOrdersByCreatedAtThenID(kind: StoreKind) async throws {
        try await TestDatabase.with(kind) { _, store in
            let posts = Fixtures.posts(30, perSecond: 4)
            try await store.upsert(posts.shuffled())
            let listed = try await store.list(ListQuery(limit: 100))
            let expected = posts.sorted { ($0.createdAt, $0.id.lowercasedString) < ($1.createdAt, $1.id.lowercasedString) }
            #expect(listed == expected)
            let descending = try await store.list(ListQuery(descending: true, limit: 100))
            #expect(descending == expected.reversed())
            #expect(try await store.list(ListQuery(limit: 7)) == Array(expected.prefix(7)))
        }
    }

    @Test(arguments: StoreKind.available)
    func listRespectsStartAndEndPositions(kind: StoreKind) async throws {
        try await TestDatabase.with(kind) { _, store in
            let posts = Fixtures.posts(12, perSecond: 3).sorted { ($0.createdAt, $0.id.lowercasedString) < ($1.createdAt, $1.id.lowercasedString) }
            try await store.upsert(posts)
            let pivot = posts[4]
            let inclusive = try await store.list(ListQuery(start: .init(createdAt: pivot.createdAt, id: pivot.id), limit: 100))
            #expect(inclusive == Array(posts[4...]))
            let exclusive = try await store.list(
                ListQuery(start: .init(createdAt: pivot.createdAt, id: pivot.id), startExclusive: true, limit: 100)
            )
            #expect(exclusive == Array(posts[5...]))
            let bySecond = try await store.list(ListQuery(start: .init(createdAt: pivot.createdAt), startExclusive: true, limit: 100))
            #expect(bySecond == Array(posts[6...]))  // strictly after the second of posts 3–5
            let bounded = try await store.list(
                ListQuery(start: .init(createdAt: posts[3].createdAt), end: .init(createdAt: posts[8].createdAt), limit: 100))
            #expect(bounded == Array(posts[3...8]))
            let byID = posts.sorted { $0.id.lowercasedString < $1.id.lowercasedString }
            let idPage = try await store.list(ListQuery(field: .id, start: .init(id: byID[2].id), startExclusive: true, limit: 3))
            #expect(idPage == Array(byID[3...5]))
        }
    }

    @Test(arguments: StoreKind.available)
    func updateChangesOnlyGivenFieldsAndUpdatedAt(kind: StoreKind) async throws {
        try await TestDatabase.with(kind) { _, store in
            let post = Fixtures.posts(1)[0]
            try await store.insert(post)
            let later = Timestamp(secondsSince1970: post.updatedAt.secondsSince1970 + 3600)
            let updated = try #require(try await store.update(id: post.id, title: "New title", body: nil, updatedAt: later))
            #expect(updated == Post(id: post.id, title: "New title", body: post.body, createdAt: post.createdAt, updatedAt: later))
            #expect(try await store.find(id: post.id) == updated)
            #expect(try await store.update(id: UUID(), title: "x", body: nil, updatedAt: later) == nil)
        }
    }

    /// A write's precondition sees the stored post; when it throws, that error comes back and nothing changes.
    @Test(arguments: StoreKind.available)
    func preconditionsSeeTheCurrentPostAndCanRefuseTheWrite(kind: StoreKind) async throws {
        struct Refused: Error {}
        try await TestDatabase.with(kind) { _, store in
            let post = Fixtures.posts(1)[0]
            try await store.insert(post)
            let later = Timestamp(secondsSince1970: post.updatedAt.secondsSince1970 + 60)
            await #expect(throws: Refused.self) {
                try await store.update(id: post.id, title: "No", body: nil, updatedAt: later, precondition: { _ in throw Refused() })
            }
            await #expect(throws: Refused.self) { try await store.delete(id: post.id, precondition: { _ in throw Refused() }) }
            #expect(try await store.find(id: post.id) == post)
            let seen = NIOLockedValueBox<Post?>(nil)
            let updated = try await store.update(id: post.id, title: "Yes", body: nil, updatedAt: later) { current in
                seen.withLockedValue { $0 = current }
            }
            #expect(seen.withLockedValue { $0 } == post)
            #expect(updated?.title == "Yes")
            // The store is still usable after a refused transaction.
            let deleted = try await store.delete(id: post.id) { current in
                guard current.title == "Yes" else { throw Refused() }
            }
            #expect(deleted == updated)
            #expect(try await store.update(id: post.id, title: "x", body: nil, updatedAt: later, precondition: { _ in throw Refused() }) == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func deleteReturnsThePostOnce(kind: StoreKind) async throws {
        try await TestDatabase.with(kind) { _, store in
            let posts = Fixtures.posts(3)
            try await store.upsert(posts)
            #expect(try await store.delete(id: posts[1].id) == posts[1])
            #expect(try await store.delete(id: posts[1].id) == nil)
            #expect(try await store.count() == 2)
            #expect(try await store.find(id: posts[0].id) == posts[0])
        }
    }

    @Test(arguments: StoreKind.available)
    func upsertIsIdempotentAndReplacesByID(kind: StoreKind) async throws {
        try await TestDatabase.with(kind) { _, store in
            var posts = Fixtures.posts(5)
            try await store.upsert(posts)
            try await store.upsert(posts)
            #expect(try await store.count() == 5)
            posts[2].title = "Replaced"
            try await store.upsert(posts)
            #expect(try await store.find(id: posts[2].id)?.title == "Replaced")
            #expect(try await store.count() == 5)
        }
    }

    @Test(arguments: StoreKind.available)
    func duplicateIDInsertFailsWithoutChangingTheStoredPost(kind: StoreKind) async throws {
        try await TestDatabase.with(kind) { _, store in
            let post = Fixtures.posts(1)[0]
            try await store.insert(post)
            var clash = post
            clash.title = "Clash"
            await #expect(throws: (any Error).self) { try await store.insert(clash) }
            #expect(try await store.find(id: post.id) == post)
        }
    }

    @Test(arguments: StoreKind.available)
    func migrateTwiceIsHarmless(kind: StoreKind) async throws {
        try await TestDatabase.with(kind) { _, store in
            try await store.insert(Fixtures.posts(1)[0])
            try await store.database.migrate(AppMigrations.all, logger: TestDatabase.logger)
            #expect(try await store.count() == 1)
            try await store.database.checkHealth()
        }
    }

    @Test(arguments: StoreKind.available)
    func bindsHostileStringsAsValues(kind: StoreKind) async throws {
        try await TestDatabase.with(kind) { _, store in
            let hostile = "'); DROP TABLE posts; --"
            let post = Post(id: UUID(), title: hostile, body: "\" OR 1=1 --", createdAt: .now(), updatedAt: .now())
            try await store.insert(post)
            #expect(try await store.find(id: post.id) == post)
            #expect(try await store.count() == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func concurrentInsertsAllLand(kind: StoreKind) async throws {
        try await TestDatabase.with(kind) { _, store in
            // 200 at once, 50 times the pool. When the disk is slow (SQLite commits each insert with
            // synchronous=FULL) the call bound may refuse some with 503 rather than queue them past its 5 s
            // wait; a refused insert never ran, and is retried as a client would after `Retry-After`.
            let posts = Fixtures.posts(200)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for post in posts {
                    group.addTask {
                        for attempt in 1... {
                            do {
                                return try await store.insert(post)
                            } catch let error as APIError where error.kind.status == .serviceUnavailable && attempt < 50 {
                                try await Task.sleep(for: .milliseconds(100))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.count() == 200)
            #expect(Set(try await store.list(ListQuery(limit: 1000)).map(\.id)) == Set(posts.map(\.id)))
        }
    }
}
