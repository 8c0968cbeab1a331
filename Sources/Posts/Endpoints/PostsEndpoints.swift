import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Plinth

/// `/posts`: list, create, show, update, delete. Parses, calls a mediator or the store, serializes.
public struct PostsEndpoints: Sendable {
    /// The largest request body accepted (1 MiB).
    public static let maxBodyBytes = 1 << 20
    /// Page size without `max`.
    public static let defaultPageSize = 200
    /// The largest page size; larger `max` values are lowered to it.
    public static let maxPageSize = 1000

    let store: any PostStore
    let token: BearerToken
    let prettyJSON: Bool
    /// Serialized `GET /posts` pages; `nil` when `CACHE=off` (every request reads the database).
    let cache: RepresentationCache?

    /// Creates the endpoints.
    public init(store: any PostStore, token: BearerToken, prettyJSON: Bool, cache: RepresentationCache?) {
        self.store = store
        self.token = token
        self.prettyJSON = prettyJSON
        self.cache = cache
    }

    /// Adds the routes to `router`.
    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/posts", use: list)
        router.post("/posts", use: create)
        router.get("/posts/:id", use: show)
        router.patch("/posts/:id", use: update)
        router.delete("/posts/:id", use: destroy)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let pretty = pretty(request)
        guard let cache else { return try await list(request, context, pretty: pretty).response(to: request) }
        // The key is everything the representation depends on; long Range headers are not cached.
        let rangeText = request.headers[.range]?.trimmingASCIIWhitespace() ?? ""
        let key = rangeText.utf8.count <= 128 ? (pretty ? "p|" : "c|") + rangeText : nil
        guard let key else { return try await list(request, context, pretty: pretty).response(to: request) }
        let entry = try await cache.entry(for: key) { try await list(request, context, pretty: pretty) }
        return entry.response(to: request)
    }

    /// Reads and serializes one page of posts.
    private func list(_ request: Request, _ context: AppRequestContext, pretty: Bool) async throws -> RepresentationCache.Entry {
        let range = try request.headers[.range].flatMap { $0.trimmingASCIIWhitespace().isEmpty ? nil : $0 }.map {
            try RangeHeader(
                parsing: $0, fields: PostListQuery.Field.allCases.map(\.rawValue), defaultMax: Self.defaultPageSize, maxCap: Self.maxPageSize)
        }
        var query = try Self.listQuery(range)
        query.limit += 1  // one more than the page tells whether another page follows
        var posts = try await store.list(query)
        var headers: HTTPFields = [.acceptRanges: "created_at, id"]
        var status = HTTPResponse.Status.ok
        if posts.count > query.limit - 1 {
            posts.removeLast()
            status = .partialContent
            headers[.nextRange] = Self.nextRange(after: posts.last!, query: query, range: range)
        }
        let body = serialize(context, pretty: pretty) { $0.serialize(posts) }
        context.requestLog.serializationArity = posts.count
        return RepresentationCache.Entry(status: status, body: body, headers: headers)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        try token.authorize(request)
        let input = try PostInput(json: try await JSONBody.read(request, maxBytes: Self.maxBodyBytes), requireAll: true)
        let post = try await CreatePost(store: store).call(input)
        cache?.invalidate()
        return written(post, request, context, status: .created, headers: [.location: "/posts/\(post.id.lowercasedString)"])
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try Self.postID(context)
        guard let post = try await store.find(id: id) else { throw Self.notFound(id) }
        context.requestLog.serializationArity = 1
        return ConditionalGET.respond(to: request, body: serialize(context, pretty: pretty(request)) { $0.serialize(post) })
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        try token.authorize(request)
        let id = try Self.postID(context)
        let input = try PostInput(json: try await JSONBody.read(request, maxBytes: Self.maxBodyBytes), requireAll: false)
        let post = try await UpdatePost(store: store).call(id: id, input, precondition: Self.ifMatchCheck(request))
        cache?.invalidate()
        return written(post, request, context)
    }

    @Sendable func destroy(_ request: Request, context: AppRequestContext) async throws -> Response {
        try token.authorize(request)
        let post = try await DestroyPost(store: store).call(id: try Self.postID(context), precondition: Self.ifMatchCheck(request))
        cache?.invalidate()
        context.requestLog.serializationArity = 1
        return JSONResponse.make(body: serialize(context, pretty: pretty(request)) { $0.serialize(post) })
    }

    /// The response to a write that leaves `post` as it is now: its body and its new `ETag`.
    private func written(
        _ post: Post,
        _ request: Request,
        _ context: AppRequestContext,
        status: HTTPResponse.Status = .ok,
        headers: HTTPFields = [:]
    ) -> Response {
        context.requestLog.serializationArity = 1
        let body = serialize(context, pretty: pretty(request)) { $0.serialize(post) }
        var fields = headers
        fields[.eTag] = ConditionalGET.etag(for: body)
        fields[.cacheControl] = "no-cache"
        return JSONResponse.make(status: status, body: body, headers: fields)
    }

    /// The `If-Match` check for a write: the ETags `GET /posts/:id` gives the current post, compact
    /// or pretty, so a client may send whichever it read.
    static func ifMatchCheck(_ request: Request) -> WritePrecondition<Post>? {
        guard let condition = IfMatch(request) else { return nil }
        return { post in
            try condition.check(currentETags: [false, true].map { ConditionalGET.etag(for: PostSerializer(pretty: $0).serialize(post)) })
        }
    }

    /// Serializes with the request's pretty setting and records the time for the log line.
    private func serialize(_ context: AppRequestContext, pretty: Bool, _ write: (PostSerializer) -> ByteBuffer) -> ByteBuffer {
        let start = ContinuousClock.now
        let body = write(PostSerializer(pretty: pretty))
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        context.requestLog.serializationSeconds = Double(seconds) + Double(attoseconds) / 1e18
        return body
    }

    private func pretty(_ request: Request) -> Bool {
        JSONResponse.wantsPretty(request, default: prettyJSON)
    }

    /// The `:id` parameter; a malformed id is 404, as an unknown one.
    static func postID(_ context: AppRequestContext) throws -> UUID {
        let text = context.parameters.get("id") ?? ""
        guard let id = UUID(canonical: text) else {
            throw APIError(.notFound, message: "No post with id \(text.prefix(64)).")
        }
        return id
    }

    static func notFound(_ id: UUID) -> APIError {
        APIError(.notFound, message: "No post with id \(id.lowercasedString).")
    }
}
