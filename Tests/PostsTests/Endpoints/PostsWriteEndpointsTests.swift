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

/// `POST`, `PATCH` and `DELETE /posts`: success, auth, validation, and that failures store nothing.
@Suite struct PostsWriteEndpointsTests {
    @Test(arguments: StoreKind.available)
    func createReturns201WithLocationAndStoresThePost(kind: StoreKind) async throws {
        try await TestApp.with(kind) { client, store in
            let response = try await client.write("/posts", .post, json: #"{"title":"  Hello  ","body":"World \u00e9 🚀"}"#)
            #expect(response.status == .created)
            let id = try #require(response.object["id"] as? String)
            #expect(response.headers[.location] == "/posts/\(id)")
            #expect(response.object["title"] as? String == "Hello")
            #expect(response.object["body"] as? String == "World é 🚀")
            let created = try #require(response.object["created_at"] as? String)
            #expect(Timestamp(iso8601: created) != nil && created.hasSuffix("Z"))
            #expect(response.object["updated_at"] as? String == created)
            let uuid = try #require(UUID(uuidString: id))
            let stored = try #require(try await store.find(id: uuid))
            #expect(stored.title == "Hello")
            let shown = try await client.execute(uri: "/posts/\(id)", method: .get)
            #expect(shown.text == response.text)
        }
    }

    @Test(arguments: StoreKind.available)
    func patchUpdatesGivenFieldsAndMovesUpdatedAt(kind: StoreKind) async throws {
        let post = Fixtures.posts(1)[0]
        try await TestApp.with(kind, seed: [post]) { client, store in
            let response = try await client.write("/posts/\(post.id.lowercasedString)", .patch, json: #"{"body":"Changed"}"#)
            #expect(response.status == .ok)
            #expect(response.object["title"] as? String == post.title)
            #expect(response.object["body"] as? String == "Changed")
            #expect(response.object["created_at"] as? String == "2015-03-01T12:00:52Z")
            let updatedAt = try #require(Timestamp(iso8601: response.object["updated_at"] as? String ?? ""))
            #expect(updatedAt > post.updatedAt)
            #expect(try await store.find(id: post.id)?.body == "Changed")
        }
    }

    @Test(arguments: StoreKind.available)
    func deleteReturnsTheDeletedPostThen404(kind: StoreKind) async throws {
        let post = Fixtures.posts(1)[0]
        try await TestApp.with(kind, seed: [post]) { client, store in
            let response = try await client.write("/posts/\(post.id.lowercasedString)", .delete)
            #expect(response.status == .ok)
            #expect(response.object["id"] as? String == post.id.lowercasedString)
            #expect(try await store.count() == 0)
            let again = try await client.write("/posts/\(post.id.lowercasedString)", .delete)
            #expect(again.status == .notFound)
            #expect(again.errorID == "not_found")
            let shown = try await client.execute(uri: "/posts/\(post.id.lowercasedString)", method: .get)
            #expect(shown.status == .notFound)
        }
    }

    @Test(arguments: StoreKind.available)
    func patchAndDeleteOfUnknownOrMalformedIDAre404(kind: StoreKind) async throws {
        try await TestApp.with(kind) { client, _ in
            for id in [UUID().lowercasedString, "not-an-id"] {
                let patched = try await client.write("/posts/\(id)", .patch, json: #"{"title":"x"}"#)
                let deleted = try await client.write("/posts/\(id)", .delete)
                #expect(patched.status == .notFound)
                #expect(deleted.status == .notFound)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func writesNeedTheToken(kind: StoreKind) async throws {
        let post = Fixtures.posts(1)[0]
        try await TestApp.with(kind, seed: [post]) { client, store in
            let path = "/posts/\(post.id.lowercasedString)"
            let attempts: [(String, HTTPRequest.Method, HTTPFields)] = [
                ("/posts", .post, [.contentType: "application/json"]),
                ("/posts", .post, [.contentType: "application/json", .authorization: "Bearer wrong-token"]),
                ("/posts", .post, [.contentType: "application/json", .authorization: "Bearer test-token-and-more"]),
                ("/posts", .post, [.contentType: "application/json", .authorization: "Basic dGVzdC10b2tlbg=="]),
                (path, .patch, [.contentType: "application/json", .authorization: "Bearer "]),
                (path, .delete, [:]),
            ]
            for (uri, method, headers) in attempts {
                let response = try await client.execute(
                    uri: uri, method: method, headers: headers, body: ByteBuffer(string: #"{"title":"t","body":"b"}"#))
                #expect(response.status == .unauthorized, "\(method) \(uri) \(headers)")
                #expect(response.errorID == "unauthorized")
            }
            #expect(try await store.list(ListQuery(limit: 10)) == [post])
        }
    }

    @Test(arguments: StoreKind.available)
    func invalidCreatesAre422NamingTheFieldAndStoreNothing(kind: StoreKind) async throws {
        let cases: [(String, String)] = [
            (#"{"body":"b"}"#, "title is required"),
            (#"{"title":"t"}"#, "body is required"),
            (#"{"title":"   ","body":"b"}"#, "title must not be blank"),
            (#"{"title":"\#(String(repeating: "x", count: 201))","body":"b"}"#, "title must be at most 200 characters"),
            (#"{"title":"t","body":"\#(String(repeating: "x", count: 100_001))"}"#, "body must be at most 100000 characters"),
            (#"{"title":5,"body":"b"}"#, "title must be a string, not a number"),
            (#"{"title":"t","body":["b"]}"#, "body must be a string, not an array"),
            (#"{"title":null,"body":"b"}"#, "title is required"),
            (#"{"title":"t","body":"b","author":"x"}"#, #"unknown field "author""#),
            (#"{"title":"a\u0000b","body":"b"}"#, "title must not contain NUL"),
            (#"["title","body"]"#, "must be a JSON object"),
            (#""just a string""#, "must be a JSON object"),
        ]
        try await TestApp.with(kind) { client, store in
            for (body, expected) in cases {
                let response = try await client.write("/posts", .post, json: body)
                #expect(response.status == .unprocessableContent, "\(body.prefix(60))")
                #expect(response.errorID == "unprocessable_entity")
                let message = response.object["message"] as? String ?? ""
                #expect(message.contains(expected), "\(message)")
            }
            #expect(try await store.count() == 0)
        }
    }

    @Test(arguments: StoreKind.available)
    func titleAndBodyLimitsCountCharactersNotBytes(kind: StoreKind) async throws {
        try await TestApp.with(kind) { client, _ in
            let title = String(repeating: "é", count: 200)
            let response = try await client.write("/posts", .post, json: #"{"title":"\#(title)","body":"\#(String(repeating: "🚀", count: 1000))"}"#)
            #expect(response.status == .created)
        }
    }

    @Test(arguments: StoreKind.available)
    func malformedJSONIs400(kind: StoreKind) async throws {
        try await TestApp.with(kind) { client, store in
            for body in [#"{"title":"t","#, "", "not json", #"{"title":"t" "body":"b"}"#, String(repeating: "[", count: 10_000)] {
                let response = try await client.write("/posts", .post, json: body)
                #expect(response.status == .badRequest, "\(body.prefix(40))")
                #expect(response.errorID == "bad_request")
            }
            var invalidUTF8 = ByteBuffer(string: #"{"title":""#)
            invalidUTF8.writeBytes([0xFF, 0xFE])
            invalidUTF8.writeString(#"","body":"b"}"#)
            let response = try await client.execute(
                uri: "/posts",
                method: .post,
                headers: [.authorization: "Bearer \(TestApp.token)", .contentType: "application/json"],
                body: invalidUTF8
            )
            #expect(response.status == .badRequest)
            #expect(try await store.count() == 0)
        }
    }

    @Test(arguments: StoreKind.available)
    func wrongContentTypeIs415(kind: StoreKind) async throws {
        try await TestApp.with(kind) { client, _ in
            for contentType in ["text/plain", "application/x-www-form-urlencoded", "application/jsonx"] {
                let response = try await client.write("/posts", .post, json: #"{"title":"t","body":"b"}"#, headers: [.contentType: contentType])
                #expect(response.status == .unsupportedMediaType, "\(contentType)")
                #expect(response.errorID == "unsupported_media_type")
            }
            let missing = try await client.execute(
                uri: "/posts",
                method: .post,
                headers: [.authorization: "Bearer \(TestApp.token)"],
                body: ByteBuffer(string: #"{"title":"t","body":"b"}"#)
            )
            #expect(missing.status == .unsupportedMediaType)
            let withCharset = try await client.write(
                "/posts",
                .post,
                json: #"{"title":"t","body":"b"}"#,
                headers: [.contentType: "application/json; charset=utf-8"]
            )
            #expect(withCharset.status == .created)
        }
    }

    @Test(arguments: StoreKind.available)
    func bodyOver1MiBIs413(kind: StoreKind) async throws {
        try await TestApp.with(kind) { client, store in
            let body = #"{"title":"t","body":""# + String(repeating: "x", count: 1 << 20) + #""}"#
            let response = try await client.write("/posts", .post, json: body)
            #expect(response.status == .contentTooLarge)
            #expect(response.errorID == "request_entity_too_large")
            #expect(try await store.count() == 0)
        }
    }

    @Test(arguments: StoreKind.available)
    func invalidPatchIs422AndLeavesThePostAlone(kind: StoreKind) async throws {
        let post = Fixtures.posts(1)[0]
        try await TestApp.with(kind, seed: [post]) { client, store in
            for body in ["{}", #"{"title":""}"#, #"{"id":"x"}"#, #"{"created_at":"2020-01-01T00:00:00Z"}"#] {
                let response = try await client.write("/posts/\(post.id.lowercasedString)", .patch, json: body)
                #expect(response.status == .unprocessableContent, "\(body)")
            }
            #expect(try await store.find(id: post.id) == post)
        }
    }

    @Test(arguments: StoreKind.available)
    func twoHundredConcurrentCreatesAllLand(kind: StoreKind) async throws {
        try await TestApp.with(kind) { client, store in
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let response = try await client.write("/posts", .post, json: #"{"title":"Post \#(index)","body":"Body"}"#)
                        return response.status == .created ? response.object["id"] as? String : nil
                    }
                }
                return try await group.reduce(into: [String]()) { ids, id in if let id { ids.append(id) } }
            }
            #expect(ids.count == 200)
            #expect(Set(ids).count == 200)
            #expect(try await store.count() == 200)
        }
    }
}
