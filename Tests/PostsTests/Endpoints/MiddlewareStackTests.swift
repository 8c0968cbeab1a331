import CompressNIO
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Plinth
import PlinthCore
import PlinthDatabase
import Posts
import PostsCore
import Testing

/// The assembled stack of the posts app: order and the headers every response carries.
@Suite struct MiddlewareStackTests {
    @Test func errorsStillGetRequestIDCORSAndOneLogLine() async throws {
        let lines = NIOLockedValueBox<[LogCapture.Line]>([])
        let logger = Logger(label: "posts") { _ in LogCapture(lines: lines) }
        try await TestDatabase.with(.sqlite) { database, _ in
            var config = TestApp.config(database)
            config.logLevel = .info
            let app = try await buildApplication(config: config, logger: logger)
            try await app.test(.router) { client in
                let response = try await client.execute(
                    uri: "/posts/\(UUID().lowercasedString)",
                    method: .get,
                    headers: [.origin: "https://x.example", .userAgent: "agent\nat=error forged=1"]
                )
                #expect(response.status == .notFound)
                #expect(response.headers[.requestID] != nil)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                let bad = try await client.execute(uri: "/posts", method: .get, headers: [.accept: "application/vnd.posts+json"])
                #expect(bad.status == .badRequest && bad.errorID == "bad_version")
                #expect(bad.headers[.requestID] != nil)
            }
        }
        let canonical = lines.withLockedValue { $0 }.map(\.metadata).filter { $0["request_path"] != nil }
        #expect(canonical.count == 2)
        let first = try #require(canonical.first)
        #expect(first["response_status"]?.description == "404")
        #expect(first["error_id"]?.description == "not_found")
        #expect(first["request_route_signature"]?.description == "/posts/{id}")
        // One metadata value, whatever it holds; LogfmtTests shows it cannot forge fields or lines.
        #expect(first["request_user_agent"]?.description.hasPrefix("agent") == true)
        #expect(first["request_id"].map { UUID(uuidString: "\($0)") != nil } == true)
        #expect(first["timing_total_elapsed"] != nil)
    }

    @Test func logLevelWarningSilencesTheRequestLines() async throws {
        let lines = NIOLockedValueBox<[LogCapture.Line]>([])
        let logger = Logger(label: "posts") { _ in LogCapture(lines: lines) }  // at info
        try await TestDatabase.with(.sqlite) { database, _ in
            var config = TestApp.config(database)
            config.logLevel = .warning
            let app = try await buildApplication(config: config, logger: logger)
            try await app.test(.router) { client in
                _ = try await client.execute(uri: "/posts", method: .get)
                _ = try await client.execute(uri: "/nope", method: .get)
            }
        }
        #expect(lines.withLockedValue { $0 }.map(\.metadata).filter { $0["request_path"] != nil }.isEmpty)
    }

    @Test func everyGet200CarriesAnETag() async throws {
        try await TestApp.with(.sqlite, seed: Fixtures.posts(2)) { client, _ in
            let id = try await client.execute(uri: "/posts", method: .get).array.first?["id"] as? String ?? ""
            for path in ["/posts", "/posts/\(id)", "/health", "/health/db", "/schema.json", "/metrics"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers[.eTag]?.hasPrefix("\"") == true, "\(path)")
                #expect(response.headers[.cacheControl] != nil, "\(path)")
            }
        }
    }

    @Test(arguments: [true, false])
    func gzipOfPostsInflatesToTheSameJSON(cache: Bool) async throws {
        try await TestApp.with(.sqlite, seed: Fixtures.posts(40), customize: { $0.cache = cache }) { client, _ in
            let plain = try await client.execute(uri: "/posts", method: .get)
            let gzip = try await client.execute(uri: "/posts", method: .get, headers: [.acceptEncoding: "gzip"])
            #expect(gzip.headers[.contentEncoding] == "gzip")
            #expect(gzip.headers[.vary]?.contains("Accept-Encoding") == true)
            var body = gzip.body
            #expect(try body.decompress(with: .gzip()) == plain.body)
            let etag = try #require(gzip.headers[.eTag])
            #expect(etag != plain.headers[.eTag])
            let revalidated = try await client.execute(uri: "/posts", method: .get, headers: [.acceptEncoding: "gzip", .ifNoneMatch: etag])
            #expect(revalidated.status == .notModified)
            #expect(revalidated.body.readableBytes == 0)
        }
    }

    @Test func timeoutIsConfigurable() async throws {
        let config = try AppConfig(env: Env(["TIMEOUT": "0", "CORS_ORIGINS": "https://a.example, https://b.example", "VERSIONING": "false"]))
        #expect(config.timeout == 0)
        #expect(config.corsOrigins == ["https://a.example", "https://b.example"])
        #expect(config.versioning == false)
        #expect(throws: ConfigError.self) { try AppConfig(env: Env(["TIMEOUT": "-1"])) }
    }
}
