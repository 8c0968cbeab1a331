import Foundation
import HTTPTypes
import HummingbirdTesting
import PlinthCore
import PlinthDatabase
import PostsCore
import Testing

/// `/posts/:id/comments` and `/comments/:id`, on every database.
@Suite struct CommentsEndpointsTests {
    @Test(arguments: StoreKind.available)
    func createListShowUpdateDelete(kind: StoreKind) async throws {
        let post = Fixtures.posts(1)[0]
        try await TestApp.with(kind, seed: [post]) { client, _ in
            let comments = "/posts/\(post.id.lowercasedString)/comments"
            #expect(try await client.execute(uri: comments, method: .get).text == "[]")
            let created = try await client.write(comments, .post, json: #"{"author":"  Ada  ","body":"First!"}"#)
            #expect(created.status == .created)
            let id = try #require(created.object["id"] as? String)
            #expect(created.headers[.location] == "/comments/\(id)")
            #expect(created.object["post_id"] as? String == post.id.lowercasedString)
            #expect(created.object["author"] as? String == "Ada")
            #expect(Array(created.object.keys).count == 6)
            let shown = try await client.execute(uri: "/comments/\(id)", method: .get)
            #expect(shown.text == created.text && shown.headers[.eTag] == created.headers[.eTag])
            #expect(try await client.execute(uri: comments, method: .get).array.map { $0["id"] as? String } == [id])

            let patched = try await client.write("/comments/\(id)", .patch, json: #"{"body":"Edited"}"#, headers: [.ifMatch: shown.headers[.eTag]!])
            #expect(patched.status == .ok && patched.object["body"] as? String == "Edited" && patched.object["author"] as? String == "Ada")
            let stale = try await client.write("/comments/\(id)", .delete, headers: [.ifMatch: shown.headers[.eTag]!])
            #expect(stale.status == .preconditionFailed)
            let revalidated = try await client.execute(uri: "/comments/\(id)", method: .get, headers: [.ifNoneMatch: patched.headers[.eTag]!])
            #expect(revalidated.status == .notModified)
            #expect(try await client.write("/comments/\(id)", .delete).status == .ok)
            #expect(try await client.execute(uri: "/comments/\(id)", method: .get).status == .notFound)
            #expect(try await client.execute(uri: comments, method: .get).text == "[]")
        }
    }

    @Test(arguments: StoreKind.available)
    func errorsNameTheProblem(kind: StoreKind) async throws {
        let post = Fixtures.posts(1)[0]
        try await TestApp.with(kind, seed: [post]) { client, store in
            let comments = "/posts/\(post.id.lowercasedString)/comments"
            let unknownPost = "/posts/\(UUID().lowercasedString)/comments"
            #expect(try await client.execute(uri: unknownPost, method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/posts/nope/comments", method: .get).status == .notFound)
            #expect(try await client.write(unknownPost, .post, json: #"{"author":"a","body":"b"}"#).status == .notFound)
            let invalid = try await client.write(comments, .post, json: #"{"author":"   ","body":"","extra":1}"#)
            #expect(invalid.status == .unprocessableContent)
            let message = invalid.object["message"] as? String ?? ""
            #expect(
                message.hasPrefix("Invalid comment:") && message.contains("author must not be blank") && message.contains("body must not be blank"))
            #expect(message.contains(#"unknown field "extra""#))
            let tooLong = try await client.write(comments, .post, json: "{\"author\":\"\(String(repeating: "a", count: 101))\",\"body\":\"b\"}")
            #expect(tooLong.status == .unprocessableContent)
            let unauthorized = try await client.execute(
                uri: comments, method: .post, headers: [.contentType: "application/json"], body: .init(string: #"{"author":"a","body":"b"}"#))
            #expect(unauthorized.status == .unauthorized)
            #expect(try await client.write(comments, .post, json: "{nope").status == .badRequest)
            #expect(try await client.execute(uri: "/comments/\(UUID().lowercasedString)", method: .get).status == .notFound)
            #expect(try await client.write("/comments/\(UUID().lowercasedString)", .patch, json: #"{"body":"x"}"#).status == .notFound)
            #expect(try await client.execute(uri: comments, method: .get, headers: [.range: "id ..; max=nope"]).status == .rangeNotSatisfiable)
            #expect(try await CommentStore(database: store.database).list(postID: post.id, ListQuery(limit: 10)) == [])
        }
    }

    @Test(arguments: StoreKind.available)
    func rangePagingWalksEveryCommentOnce(kind: StoreKind) async throws {
        let post = Fixtures.posts(1)[0]
        try await TestApp.with(kind, seed: [post]) { client, _ in
            let comments = "/posts/\(post.id.lowercasedString)/comments"
            var created: [String] = []
            for index in 0..<7 {
                created.append(try await client.write(comments, .post, json: #"{"author":"a","body":"\#(index)"}"#).object["id"] as? String ?? "")
            }
            var seen: [String] = []
            var range: String? = "created_at ..; max=3"
            while let next = range {
                let page = try await client.execute(uri: comments, method: .get, headers: [.range: next])
                seen += page.array.compactMap { $0["id"] as? String }
                range = page.headers[.nextRange]
                #expect(page.status == (range == nil ? .ok : .partialContent))
            }
            #expect(seen.count == 7 && Set(seen) == Set(created))
        }
    }

    /// Deleting a post deletes its comments, and no cached list outlives either write.
    @Test(arguments: StoreKind.available)
    func deletingAPostDeletesItsComments(kind: StoreKind) async throws {
        let post = Fixtures.posts(1)[0]
        try await TestApp.with(kind, seed: [post]) { client, store in
            let comments = "/posts/\(post.id.lowercasedString)/comments"
            let id = try await client.write(comments, .post, json: #"{"author":"a","body":"b"}"#).object["id"] as? String ?? ""
            #expect(try await client.execute(uri: comments, method: .get).array.count == 1)
            #expect(try await client.write("/posts/\(post.id.lowercasedString)", .delete).status == .ok)
            #expect(try await client.execute(uri: "/comments/\(id)", method: .get).status == .notFound)
            #expect(try await client.execute(uri: comments, method: .get).status == .notFound)
            #expect(try await CommentStore(database: store.database).find(id: UUID(uuidString: id)!) == nil)
        }
    }
}
