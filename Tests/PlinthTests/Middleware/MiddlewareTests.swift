import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Plinth
import PlinthCore
import PlinthServer
import Testing

/// Plinth's middleware on a router of their own, in Pliny's order.
@Suite struct MiddlewareTests {
    /// The app; `live` serves it with ``PlinthHTTP1Channel`` (each request in a task of its own) on a free port.
    static func app(timeout: Double = 0, origins: [String] = ["*"], live: Bool = false) -> some ApplicationProtocol {
        let router = Router(context: TestContext.self)
        router.add(middleware: CORSPolicyMiddleware(origins: origins))
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: RescueErrorsMiddleware())
        if timeout > 0 { router.add(middleware: TimeoutMiddleware(seconds: timeout)) }
        router.add(middleware: VersioningMiddleware(appName: "posts", defaultVersion: 1, supported: [1, 2]))
        router.add(middleware: CompressionMiddleware())
        router.get("/version") { _, context in "\(context.apiVersion)" }
        router.get("/big") { _, _ in JSONResponse.make(body: ByteBuffer(string: "[" + String(repeating: "\"abcdefgh\",", count: 500) + "0]")) }
        router.get("/small") { _, _ in JSONResponse.make(body: ByteBuffer(string: "[1]")) }
        router.get("/slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(30))
            return "late"
        }
        router.get("/boom") { _, _ -> String in throw CancellationError() }
        guard live else { return Application(router: router) }
        let responder = router.buildResponder()
        return Application(
            responder: responder,
            server: .plinthHTTP1(responder: responder, headerTimeout: .seconds(10), idleTimeout: nil),
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
    }

    @Test(arguments: [false, true])
    func timeoutCancelsSlowWorkWith503(live: Bool) async throws {
        try await Self.app(timeout: 1, origins: ["*"], live: live).test(live ? .live : .router) { client in
            let start = ContinuousClock.now
            let response = try await client.execute(uri: "/slow", method: .get, headers: [.origin: "https://a.example"])
            // Well short of the handler's 30 s, with room for the whole suite starting at once on 2 cores.
            #expect(ContinuousClock.now - start < .seconds(15))
            #expect(response.status == .serviceUnavailable)
            #expect(String(buffer: response.body) == #"{"id":"request_timeout","message":"Request timed out after 1 second."}"#)
            #expect(response.headers[.requestID] != nil)
            #expect(response.headers[.accessControlAllowOrigin] == "*")
            #expect(try await client.execute(uri: "/small", method: .get).status == .ok)
        }
    }

    @Test func versionFromAcceptHeader() async throws {
        try await Self.app().test(.router) { client in
            #expect(String(buffer: try await client.execute(uri: "/version", method: .get).body) == "1")
            let v2 = try await client.execute(uri: "/version", method: .get, headers: [.accept: "application/vnd.posts+json; version=2"])
            #expect(String(buffer: v2.body) == "2")
            let bare = try await client.execute(uri: "/version", method: .get, headers: [.accept: "application/vnd.posts+json"])
            #expect(bare.status == .badRequest)
            #expect(String(buffer: bare.body).contains(#""id":"bad_version""#))
            #expect(String(buffer: bare.body).contains("application/vnd.posts+json; version=1"))
            let unknown = try await client.execute(uri: "/version", method: .get, headers: [.accept: "application/vnd.posts+json; version=7"])
            #expect(unknown.status == .notAcceptable)
            let other = try await client.execute(uri: "/version", method: .get, headers: [.accept: "application/json, text/plain"])
            #expect(String(buffer: other.body) == "1")
        }
    }

    @Test func gzipAndDeflateWhenAcceptedAndWorthIt() async throws {
        try await Self.app().test(.router) { client in
            let plain = try await client.execute(uri: "/big", method: .get)
            #expect(plain.headers[.contentEncoding] == nil)
            #expect(plain.headers[.vary] == "Accept-Encoding")
            let gzip = try await client.execute(uri: "/big", method: .get, headers: [.acceptEncoding: "gzip, deflate, br"])
            #expect(gzip.headers[.contentEncoding] == "gzip")
            #expect(gzip.body.readableBytes < plain.body.readableBytes / 4)
            var compressed = gzip.body
            #expect(try compressed.decompress(with: .gzip()) == plain.body)
            let deflate = try await client.execute(uri: "/big", method: .get, headers: [.acceptEncoding: "gzip;q=0, deflate"])
            #expect(deflate.headers[.contentEncoding] == "deflate")
            var zlib = deflate.body
            #expect(try zlib.decompress(with: .zlib()) == plain.body)
            let refused = try await client.execute(uri: "/big", method: .get, headers: [.acceptEncoding: "identity, *;q=0"])
            #expect(refused.headers[.contentEncoding] == nil)
            let small = try await client.execute(uri: "/small", method: .get, headers: [.acceptEncoding: "gzip"])
            #expect(small.headers[.contentEncoding] == nil && String(buffer: small.body) == "[1]")
        }
    }

    @Test func corsAnyOriginWithoutCredentials() async throws {
        try await Self.app().test(.router) { client in
            let response = try await client.execute(uri: "/missing", method: .get, headers: [.origin: "https://evil.example"])
            #expect(response.status == .notFound)
            #expect(response.headers[.accessControlAllowOrigin] == "*")
            #expect(response.headers[.accessControlAllowCredentials] == nil)
            #expect(response.headers[.accessControlExposeHeaders]?.contains("Request-Id") == true)
            let preflight = try await client.execute(
                uri: "/big",
                method: .options,
                headers: [.origin: "https://a.example", .accessControlRequestMethod: "PATCH", .accessControlRequestHeaders: "Authorization"]
            )
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("PATCH") == true)
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
        }
    }

    @Test func corsListedOriginsOnlyNeverReflectsOthers() async throws {
        try await Self.app(origins: ["https://app.example"]).test(.router) { client in
            let allowed = try await client.execute(uri: "/small", method: .get, headers: [.origin: "https://app.example"])
            #expect(allowed.headers[.accessControlAllowOrigin] == "https://app.example")
            #expect(allowed.headers[.accessControlAllowCredentials] == "true")
            #expect(allowed.headers[.vary]?.contains("Origin") == true)
            let other = try await client.execute(uri: "/small", method: .get, headers: [.origin: "https://evil.example"])
            #expect(other.headers[.accessControlAllowOrigin] == nil)
            #expect(other.headers[.accessControlAllowCredentials] == nil)
            let preflight = try await client.execute(
                uri: "/small",
                method: .options,
                headers: [.origin: "https://evil.example", .accessControlRequestMethod: "DELETE"]
            )
            #expect(preflight.headers[.accessControlAllowOrigin] == nil)
            #expect(preflight.headers[.accessControlAllowMethods] == nil)
        }
    }

    @Test func unexpectedErrorsAre500WithoutInternals() async throws {
        try await Self.app().test(.router) { client in
            let response = try await client.execute(uri: "/boom", method: .get)
            #expect(response.status == .internalServerError)
            #expect(String(buffer: response.body) == #"{"id":"internal_server_error","message":"Internal server error."}"#)
        }
    }

    @Test func raiseErrorsLetsUnexpectedErrorsPropagate() async throws {
        let router = Router(context: TestContext.self)
        router.add(middleware: RescueErrorsMiddleware(raiseErrors: true))
        router.get("/boom") { _, _ -> String in throw CancellationError() }
        router.get("/missing") { _, _ -> String in throw APIError(.notFound) }
        try await Application(router: router).test(.router) { client in
            let boom = try await client.execute(uri: "/boom", method: .get)
            #expect(boom.status == .internalServerError)
            #expect(!String(buffer: boom.body).contains("internal_server_error"))  // Hummingbird's own answer, not ours
            let missing = try await client.execute(uri: "/missing", method: .get)
            #expect(String(buffer: missing.body) == #"{"id":"not_found","message":"Not found."}"#)  // client errors still rendered
        }
    }

    @Test(arguments: [ContentCoding.gzip, .deflate])
    func bothEffortsRoundTrip(coding: ContentCoding) throws {
        let body = ByteBuffer(string: "[" + (0..<400).map { #"{"id":\#($0),"title":"post \#($0 % 7)"}"# }.joined(separator: ",") + "]")
        let fast = try #require(coding.compress(body, effort: .fast))
        let thorough = try #require(coding.compress(body, effort: .thorough))
        #expect(fast.readableBytes < body.readableBytes / 3)
        #expect(fast != thorough)  // the effort reaches zlib
        for var compressed in [fast, thorough] {
            #expect(try compressed.decompress(with: coding == .gzip ? .gzip() : .zlib()) == body)
        }
    }

    @Test func contentCodingNegotiation() {
        #expect(ContentCoding.negotiate("gzip") == .gzip)
        #expect(ContentCoding.negotiate("deflate, gzip;q=0.5") == .gzip)
        #expect(ContentCoding.negotiate("GZIP;q=0, deflate") == .deflate)
        #expect(ContentCoding.negotiate("*") == .gzip)
        #expect(ContentCoding.negotiate("br") == nil)
        #expect(ContentCoding.negotiate(nil) == nil)
    }
}
