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

/// `GET /posts`, `GET /posts/:id`, health, unknown routes and methods.
@Suite struct PostsReadEndpointsTests {
    static func strings(_ object: [String: Any]) -> [String: String] { object.compactMapValues { $0 as? String } }

    @Test(arguments: StoreKind.available)
    func listServesTheBenchmarkFixtureByteForByte(kind: StoreKind) async throws {
        let data = try Fixtures.benchmarkPosts()
        try await TestDatabase.with(kind) { database, store in
            try await SeedLoader(store: store).load(data)
            let app = try await buildApplication(config: TestApp.config(database), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/posts", method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                #expect(response.headers[.nextRange] == nil)
                #expect(response.array.count == 100)
                // The compact form of the fixture, as Python's json.dumps(separators=(',', ':'), ensure_ascii=False) writes it.
                #expect(response.body.readableBytes == 38_335)
                let expected = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
                #expect(response.array.map { $0["id"] as! String } == expected.map { $0["id"] as! String })
                #expect(response.array.map(Self.strings) == expected.map(Self.strings))
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func listIsEmptyArrayWithoutPosts(kind: StoreKind) async throws {
        try await TestApp.with(kind) { client, _ in
            let response = try await client.execute(uri: "/posts", method: .get)
            #expect(response.status == .ok)
            #expect(response.text == "[]")
        }
    }

    @Test(arguments: StoreKind.available)
    func showReturnsThePostAndETag(kind: StoreKind) async throws {
        let post = Fixtures.posts(1)[0]
        try await TestApp.with(kind, seed: [post]) { client, _ in
            let response = try await client.execute(uri: "/posts/\(post.id.lowercasedString)", method: .get)
            #expect(response.status == .ok)
            #expect(
                response.text
                    == #"{"id":"\#(post.id.lowercasedString)","title":"Post 0","body":"Body 0","created_at":"2015-03-01T12:00:52Z","updated_at":"2015-03-01T12:00:52Z"}"#
            )
            let etag = try #require(response.headers[.eTag])
            #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""))
            let cached = try await client.execute(uri: "/posts/\(post.id.lowercasedString)", method: .get, headers: [.ifNoneMatch: etag])
            #expect(cached.status == .notModified)
            #expect(cached.body.readableBytes == 0)
            let uppercase = try await client.execute(uri: "/posts/\(post.id.uuidString)", method: .get)
            #expect(uppercase.status == .ok)
        }
    }

    @Test(arguments: StoreKind.available)
    func unknownAndMalformedIDsAre404(kind: StoreKind) async throws {
        try await TestApp.with(kind) { client, _ in
            for id in [UUID().lowercasedString, "nope", "1%27%20OR%201=1", String(repeating: "a", count: 300)] {
                let response = try await client.execute(uri: "/posts/\(id)", method: .get)
                #expect(response.status == .notFound)
                #expect(response.errorID == "not_found")
                #expect((response.object["message"] as? String)?.isEmpty == false)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func prettyJSONOnRequest(kind: StoreKind) async throws {
        let post = Fixtures.posts(1)[0]
        try await TestApp.with(kind, seed: [post]) { client, _ in
            let response = try await client.execute(uri: "/posts?pretty=true", method: .get)
            #expect(response.text.hasPrefix("[\n  {\n    \"id\": \""))
            #expect(response.text.hasSuffix("\n  }\n]"))
            let compact = try await client.execute(uri: "/posts", method: .get)
            #expect(response.array.map(Self.strings) == compact.array.map(Self.strings))
        }
    }

    @Test func prettyJSONByConfig() async throws {
        try await TestApp.with(.sqlite, seed: Fixtures.posts(1), customize: { $0.prettyJSON = true }) { client, _ in
            let response = try await client.execute(uri: "/posts", method: .get)
            #expect(response.text.contains("\n    \"title\": \"Post 0\",\n"))
        }
    }

    @Test(arguments: StoreKind.available)
    func healthEndpoints(kind: StoreKind) async throws {
        try await TestApp.with(kind) { client, _ in
            for path in ["/health", "/health/db"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .ok)
                #expect(response.text == "{}")
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            }
        }
    }

    @Test func unknownRouteIs404JSON() async throws {
        try await TestApp.with(.sqlite) { client, _ in
            let response = try await client.execute(uri: "/nothing/here", method: .get)
            #expect(response.status == .notFound)
            #expect(response.text == #"{"id":"not_found","message":"Not found."}"#)
            #expect(response.headers[.requestID] != nil)
        }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        try await TestApp.with(.sqlite) { client, _ in
            let put = try await client.execute(uri: "/posts", method: .put)
            #expect(put.status == .methodNotAllowed)
            #expect(put.errorID == "method_not_allowed")
            #expect(put.headers[.allow] == "GET, HEAD, POST")
            let post = try await client.execute(uri: "/posts/\(UUID().lowercasedString)", method: .post)
            #expect(post.status == .methodNotAllowed)
            #expect(post.headers[.allow] == "DELETE, GET, HEAD, PATCH")
            let health = try await client.execute(uri: "/health", method: .delete)
            #expect(health.status == .methodNotAllowed)
            // Methods no route knows: 405 on served paths, 404 elsewhere.
            let query = try await client.execute(uri: "/posts/\(UUID().lowercasedString)", method: .init("QUERY")!)
            #expect(query.status == .methodNotAllowed)
            #expect(query.headers[.allow] == "DELETE, GET, HEAD, PATCH")
            let propfind = try await client.execute(uri: "/health/db", method: .init("PROPFIND")!)
            #expect(propfind.status == .methodNotAllowed)
            #expect(propfind.errorID == "method_not_allowed")
            let elsewhere = try await client.execute(uri: "/posts/1/likes", method: .init("QUERY")!)
            #expect(elsewhere.status == .notFound)
        }
    }

    @Test func everyResponseCarriesAFreshRequestIDAlone() async throws {
        try await TestApp.with(.sqlite) { client, _ in
            let sent = UUID().lowercasedString
            let response = try await client.execute(uri: "/health", method: .get, headers: [.requestID: "\(sent), not-a-uuid"])
            let id = try #require(response.headers[.requestID])
            #expect(UUID(uuidString: id) != nil && id != sent)
            let other = try await client.execute(uri: "/health", method: .get, headers: [.xRequestID: sent])
            #expect(other.headers[.requestID] != id && UUID(uuidString: other.headers[.requestID] ?? "") != nil)
        }
    }
}
