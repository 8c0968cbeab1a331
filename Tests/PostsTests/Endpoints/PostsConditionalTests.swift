import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Plinth
import PlinthCore
import PlinthDatabase
import Posts
import PostsCore
import Testing

/// `If-None-Match` (304s with the headers RFC 9110 asks for) and `If-Match` on writes.
@Suite struct PostsConditionalTests {
    /// A 304 carries the `ETag`, `Vary` and `Cache-Control` of the 200 it stands for, and no body metadata.
    @Test(arguments: [true, false])
    func notModifiedCarriesTheHeadersOfThe200(cache: Bool) async throws {
        try await TestApp.with(.sqlite, seed: Fixtures.posts(20), customize: { $0.cache = cache }) { client, _ in
            for encoding in ["gzip", "deflate", nil] {
                let accept: HTTPFields = encoding.map { [.acceptEncoding: $0] } ?? [:]
                for range in [nil, "created_at ..; max=10"] {  // 10 posts are over the 1 KB that gets compressed
                    var headers = accept
                    if let range { headers[.range] = range }
                    let full = try await client.execute(uri: "/posts", method: .get, headers: headers)
                    #expect(full.status == (range == nil ? .ok : .partialContent))
                    let etag = try #require(full.headers[.eTag])
                    #expect(etag.hasSuffix(encoding.map { "-\($0)\"" } ?? "\"") == true)
                    #expect(full.headers[.vary] == "Accept-Encoding")
                    headers[.ifNoneMatch] = etag
                    let revalidated = try await client.execute(uri: "/posts", method: .get, headers: headers)
                    #expect(revalidated.status == .notModified)
                    #expect(revalidated.headers[.eTag] == etag)
                    #expect(revalidated.headers[.vary] == "Accept-Encoding")
                    #expect(revalidated.headers[.cacheControl] == full.headers[.cacheControl] && full.headers[.cacheControl] == "no-cache")
                    #expect(revalidated.headers[.contentType] == nil && revalidated.headers[.contentEncoding] == nil)
                    #expect(revalidated.body.readableBytes == 0)
                }
            }
        }
    }

    @Test func smallRepresentationsAreNotCompressedAndSayNoVary() async throws {
        let post = Fixtures.posts(1)[0]
        try await TestApp.with(.sqlite, seed: [post]) { client, _ in
            let path = "/posts/\(post.id.lowercasedString)"
            let shown = try await client.execute(uri: path, method: .get, headers: [.acceptEncoding: "gzip"])
            let etag = try #require(shown.headers[.eTag])
            #expect(shown.headers[.vary] == nil && shown.headers[.contentEncoding] == nil)
            let revalidated = try await client.execute(uri: path, method: .get, headers: [.acceptEncoding: "gzip", .ifNoneMatch: etag])
            #expect(revalidated.status == .notModified)
            #expect(revalidated.headers[.eTag] == etag && revalidated.headers[.vary] == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func ifMatchGuardsPatchAndWritesReturnTheNewETag(kind: StoreKind) async throws {
        let post = Fixtures.posts(1)[0]
        try await TestApp.with(kind, seed: [post]) { client, store in
            let path = "/posts/\(post.id.lowercasedString)"
            let read = try #require(try await client.execute(uri: path, method: .get).headers[.eTag])
            let patched = try await client.write(path, .patch, json: #"{"title":"First"}"#, headers: [.ifMatch: read])
            #expect(patched.status == .ok)
            let newETag = try #require(patched.headers[.eTag])
            #expect(newETag != read)
            #expect(try await client.execute(uri: path, method: .get).headers[.eTag] == newETag)

            // The ETag read before the first write is stale now.
            let stale = try await client.write(path, .patch, json: #"{"title":"Second"}"#, headers: [.ifMatch: read])
            #expect(stale.status == .preconditionFailed)
            #expect(stale.errorID == "precondition_failed")
            #expect(try await store.find(id: post.id)?.title == "First")

            // Weak tags never match strongly; a list, the pretty ETag, the gzip variant and `*` do.
            let weak = try await client.write(path, .patch, json: #"{"title":"Weak"}"#, headers: [.ifMatch: "W/\(newETag)"])
            #expect(weak.status == .preconditionFailed)
            let listed = try await client.write(path, .patch, json: #"{"title":"Listed"}"#, headers: [.ifMatch: "\"nope\", \(newETag)"])
            #expect(listed.status == .ok)
            let pretty = try #require(try await client.execute(uri: "\(path)?pretty=true", method: .get).headers[.eTag])
            let byPretty = try await client.write(path, .patch, json: #"{"title":"Pretty"}"#, headers: [.ifMatch: pretty])
            #expect(byPretty.status == .ok)
            let gzip = ContentCoding.gzip.etag(try #require(byPretty.headers[.eTag]))
            #expect(try await client.write(path, .patch, json: #"{"title":"Gzip"}"#, headers: [.ifMatch: gzip]).status == .ok)
            #expect(try await client.write(path, .patch, json: #"{"title":"Any"}"#, headers: [.ifMatch: "*"]).status == .ok)
            #expect(try await store.find(id: post.id)?.title == "Any")

            // No post: 404 whatever If-Match says.
            let unknown = "/posts/\(UUID().lowercasedString)"
            #expect(try await client.write(unknown, .patch, json: #"{"title":"x"}"#, headers: [.ifMatch: "*"]).status == .notFound)

            let created = try await client.write("/posts", .post, json: #"{"title":"New","body":"b"}"#)
            let location = try #require(created.headers[.location])
            #expect(created.headers[.eTag] != nil)
            #expect(try await client.execute(uri: location, method: .get).headers[.eTag] == created.headers[.eTag])
        }
    }

    @Test(arguments: StoreKind.available)
    func ifMatchGuardsDelete(kind: StoreKind) async throws {
        let post = Fixtures.posts(1)[0]
        try await TestApp.with(kind, seed: [post]) { client, store in
            let path = "/posts/\(post.id.lowercasedString)"
            let read = try #require(try await client.execute(uri: path, method: .get).headers[.eTag])
            let refused = try await client.write(path, .delete, headers: [.ifMatch: "\"0000000000000000\""])
            #expect(refused.status == .preconditionFailed)
            #expect(
                refused.text
                    == #"{"id":"precondition_failed","message":"If-Match names none of this resource's current ETags: it changed since you read it; GET it again."}"#
            )
            #expect(try await store.find(id: post.id) == post)
            let deleted = try await client.write(path, .delete, headers: [.ifMatch: read])
            #expect(deleted.status == .ok)
            #expect(try await store.count() == 0)
        }
    }

    /// Twenty clients PATCH one post with the ETag they all read: the check and the write are one
    /// step, so exactly one wins and the others get 412.
    @Test(arguments: StoreKind.available)
    func concurrentConditionalPatchesHaveOneWinner(kind: StoreKind) async throws {
        let post = Fixtures.posts(1)[0]
        try await TestApp.with(kind, seed: [post]) { client, store in
            let path = "/posts/\(post.id.lowercasedString)"
            let read = try #require(try await client.execute(uri: path, method: .get).headers[.eTag])
            let statuses = try await withThrowingTaskGroup(of: (Int, HTTPResponse.Status).self) { group in
                for writer in 0..<20 {
                    group.addTask {
                        let response = try await client.write(path, .patch, json: #"{"title":"Writer \#(writer)"}"#, headers: [.ifMatch: read])
                        return (writer, response.status)
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            let winners = statuses.filter { $0.value == .ok }.map(\.key)
            #expect(winners.count == 1)
            #expect(statuses.values.filter { $0 == .preconditionFailed }.count == 19)
            #expect(try await store.find(id: post.id)?.title == "Writer \(winners.first ?? -1)")
        }
    }
}
