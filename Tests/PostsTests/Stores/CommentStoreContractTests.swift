import Foundation
import PlinthCore
import PlinthDatabase
import PostsCore
import Testing

/// Swift Testing has a `Comment` of its own.
typealias Comment = PostsCore.Comment

/// What the comment store must do, on every database.
@Suite struct CommentStoreContractTests {
    static func comments(_ count: Int, on post: Post, start: Int64 = 1_500_000_000) -> [Comment] {
        (0..<count).map { index in
            let created = Timestamp(secondsSince1970: start + Int64(index / 2))  // two per second: the id breaks ties
            return Comment(id: UUID(), postID: post.id, author: "Author \(index)", body: "Body \(index)", createdAt: created, updatedAt: created)
        }
    }

    @Test(arguments: StoreKind.available)
    func insertFindListAndPage(kind: StoreKind) async throws {
        try await TestDatabase.with(kind) { _, posts in
            let store = CommentStore(database: posts.database)
            let (post, other) = (Fixtures.posts(2)[0], Fixtures.posts(2)[1])
            try await posts.upsert([post, other])
            let comments = Self.comments(9, on: post)
            for comment in comments.shuffled() { #expect(try await store.insert(comment)) }
            #expect(try await store.insert(Self.comments(1, on: other)[0]))
            let ordered = comments.sorted { ($0.createdAt, $0.id.lowercasedString) < ($1.createdAt, $1.id.lowercasedString) }
            #expect(try await store.find(id: comments[4].id) == comments[4])
            #expect(try await store.list(postID: post.id, ListQuery(limit: 100)) == ordered)
            let page = try await store.list(
                postID: post.id, ListQuery(start: .init(createdAt: ordered[2].createdAt, id: ordered[2].id), startExclusive: true, limit: 3))
            #expect(page == Array(ordered[3...5]))
            #expect(try await store.list(postID: other.id, ListQuery(limit: 100))?.count == 1)
            #expect(try await store.list(postID: UUID(), ListQuery(limit: 100)) == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func aCommentNeedsItsPostAndGoesWithIt(kind: StoreKind) async throws {
        try await TestDatabase.with(kind) { _, posts in
            let store = CommentStore(database: posts.database)
            let post = Fixtures.posts(1)[0]
            #expect(try await !store.insert(Self.comments(1, on: post)[0]))
            try await posts.insert(post)
            let comments = Self.comments(3, on: post)
            for comment in comments { _ = try await store.insert(comment) }
            #expect(try await posts.delete(id: post.id) == post)
            for comment in comments { #expect(try await store.find(id: comment.id) == nil) }
            #expect(try await store.list(postID: post.id, ListQuery(limit: 10)) == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func updateAndDeleteWithPreconditions(kind: StoreKind) async throws {
        struct Refused: Error {}
        try await TestDatabase.with(kind) { _, posts in
            let store = CommentStore(database: posts.database)
            let post = Fixtures.posts(1)[0]
            try await posts.insert(post)
            let comment = Self.comments(1, on: post)[0]
            _ = try await store.insert(comment)
            let later = Timestamp(secondsSince1970: comment.updatedAt.secondsSince1970 + 60)
            let updated = try await store.update(id: comment.id, author: nil, body: "Edited", updatedAt: later)
            #expect(
                updated
                    == Comment(
                        id: comment.id, postID: post.id, author: comment.author, body: "Edited", createdAt: comment.createdAt, updatedAt: later))
            await #expect(throws: Refused.self) {
                try await store.update(id: comment.id, author: "No", body: nil, updatedAt: later, precondition: { _ in throw Refused() })
            }
            await #expect(throws: Refused.self) { try await store.delete(id: comment.id, precondition: { _ in throw Refused() }) }
            #expect(try await store.find(id: comment.id) == updated)
            #expect(try await store.delete(id: comment.id) { current in guard current.body == "Edited" else { throw Refused() } } == updated)
            #expect(try await store.delete(id: comment.id) == nil)
            #expect(try await store.update(id: comment.id, author: "x", body: nil, updatedAt: later) == nil)
        }
    }
}

extension CommentStore {
    /// The comments `query` selects as models; `nil` when there is no such post.
    func list(postID: UUID, _ query: ListQuery) async throws -> [Comment]? {
        try await list(postID: postID, query, into: []) { $0.append(Comment($1)) }
    }
}
