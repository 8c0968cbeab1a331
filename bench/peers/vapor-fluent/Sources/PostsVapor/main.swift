import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Vapor

/// A post as Fluent maps it. SQLite keeps timestamps as ISO 8601 text, PostgreSQL as `timestamptz`.
final class Post: Model, @unchecked Sendable {
    static let schema = "posts"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: String
    @Field(key: "updated_at") var updatedAt: String

    init() {}
}

/// The same, for PostgreSQL's `uuid` and `timestamptz` columns.
final class PostgresPost: Model, @unchecked Sendable {
    static let schema = "posts"

    @ID(custom: "id", generatedBy: .user) var id: UUID?
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// The wire format: `{"id","title","body","created_at","updated_at"}`.
struct PostResponse: Content {
    var id: String
    var title: String
    var body: String
    var created_at: String
    var updated_at: String
}

var env = try Environment.detect()
try LoggingSystem.bootstrap(from: &env)
let app = try await Application.make(env)
app.http.server.configuration.hostname = "127.0.0.1"
app.http.server.configuration.port = Int(Environment.get("PORT") ?? "8080") ?? 8080
app.logger.logLevel = .warning
let pool = Int(Environment.get("DB_POOL") ?? "8") ?? 8
let formatter = ISO8601DateFormatter()

let encoder = JSONEncoder()
encoder.outputFormatting = [.withoutEscapingSlashes]
ContentConfiguration.global.use(encoder: encoder, for: .json)

if let url = Environment.get("DATABASE_URL") {
    try app.databases.use(.postgres(url: url, maxConnectionsPerEventLoop: max(1, pool / System.coreCount)), as: .psql)
    app.get("posts") { request async throws -> [PostResponse] in
        try await PostgresPost.query(on: request.db).sort(\.$createdAt).sort(\.$id).limit(200).all().map {
            PostResponse(
                id: $0.id!.uuidString.lowercased(), title: $0.title, body: $0.body,
                created_at: formatter.string(from: $0.createdAt), updated_at: formatter.string(from: $0.updatedAt))
        }
    }
} else {
    app.databases.use(.sqlite(.file(Environment.get("SQLITE_PATH") ?? "data/posts.sqlite")), as: .sqlite)
    app.get("posts") { request async throws -> [PostResponse] in
        try await Post.query(on: request.db).sort(\.$createdAt).sort(\.$id).limit(200).all().map {
            PostResponse(id: $0.id!, title: $0.title, body: $0.body, created_at: $0.createdAt, updated_at: $0.updatedAt)
        }
    }
}
app.get("health") { _ in "{}" }
try await app.execute()
try await app.asyncShutdown()
