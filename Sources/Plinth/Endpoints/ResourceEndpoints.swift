import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PlinthCore

/// What every resource's endpoints share: the write token, pretty JSON, the page cache, Range
/// pagination, ETags and `If-Match`, and the serialization timing of the canonical log line.
///
/// A resource's endpoints parse, call a mediator or store, and hand a serializer's bytes here:
/// ```swift
/// router.get("/posts") { request, context in
///     try await resource.page(request, context, cacheKey: "posts", noun: "post") { query, page in
///         try await store.list(query, into: page) { page, post in page.append(post, PostSerializer.write) }
///     }
/// }
/// ```
public struct ResourceEndpoints: Sendable {
    /// The largest request body accepted (1 MiB).
    public static let maxBodyBytes = 1 << 20
    /// Page size without `max`.
    public static let defaultPageSize = 200
    /// The largest page size; larger `max` values are lowered to it.
    public static let maxPageSize = 1000

    /// The token writes need.
    public let token: BearerToken
    /// Whether JSON is indented when the request does not say (`PRETTY_JSON`).
    public let prettyJSON: Bool
    /// Serialized list pages; `nil` when `CACHE=off` (every request reads the database).
    public let cache: RepresentationCache?

    /// Creates the shared part of the endpoints.
    public init(token: BearerToken, prettyJSON: Bool, cache: RepresentationCache?) {
        self.token = token
        self.prettyJSON = prettyJSON
        self.cache = cache
    }

    /// One page of a collection: 200, or 206 with `Next-Range` when more remain; cached under
    /// `cacheKey` plus the `Range` and pretty setting until the next write.
    ///
    /// `render` reads the rows `ListQuery` selects into the ``PageWriter`` it is given (a store's
    /// streaming list, writing each row with the resource's serializer) and returns it.
    public func page<Context: PlinthRequestContext>(
        _ request: Request,
        _ context: Context,
        cacheKey: String,
        noun: String,
        render: @escaping @Sendable (ListQuery, PageWriter) async throws -> PageWriter
    ) async throws -> Response {
        let pretty = pretty(request)
        let compute: @Sendable () async throws -> RepresentationCache.Entry = {
            let range = try request.headers[.range].flatMap { $0.trimmingASCIIWhitespace().isEmpty ? nil : $0 }.map {
                try RangeHeader(
                    parsing: $0, fields: ListQuery.Field.allCases.map(\.rawValue), defaultMax: Self.defaultPageSize, maxCap: Self.maxPageSize)
            }
            var query = try Self.listQuery(range, noun: noun)
            let pageSize = query.limit
            query.limit += 1  // one more than the page tells whether another page follows
            let start = ContinuousClock.now
            // Room for a page of typical items without regrowing the buffer.
            var page = try await render(query, PageWriter(limit: pageSize, pretty: pretty, capacity: 1024 + 256 * pageSize))
            Self.record(context, arity: page.count, since: start)
            var headers: HTTPFields = [.acceptRanges: "created_at, id"]
            var status = HTTPResponse.Status.ok
            if page.hasMore, let last = page.last {
                status = .partialContent
                headers[.nextRange] = Self.nextRange(after: last, query: query, range: range)
            }
            return RepresentationCache.Entry(status: status, body: page.finish(), headers: headers)
        }
        // The key is everything the representation depends on; long Range headers are not cached.
        let rangeText = request.headers[.range]?.trimmingASCIIWhitespace() ?? ""
        guard let cache, rangeText.utf8.count <= 128 else { return try await compute().response(to: request) }
        return try await cache.entry(for: "\(cacheKey)|\(pretty ? "p" : "c")|\(rangeText)", compute: compute).response(to: request)
    }

    /// One item: 200 with its ETag, or 304 when the client has it.
    public func show<Context: PlinthRequestContext>(_ request: Request, _ context: Context, _ serialize: (_ pretty: Bool) -> ByteBuffer) -> Response {
        ConditionalGET.respond(to: request, body: Self.timed(context, arity: 1) { serialize(pretty(request)) })
    }

    /// The response to a write that leaves an item as `serialize` writes it: its body and new `ETag`.
    public func written<Context: PlinthRequestContext>(
        _ request: Request,
        _ context: Context,
        status: HTTPResponse.Status = .ok,
        headers: HTTPFields = [:],
        _ serialize: (_ pretty: Bool) -> ByteBuffer
    ) -> Response {
        let body = Self.timed(context, arity: 1) { serialize(pretty(request)) }
        var fields = headers
        fields[.eTag] = ConditionalGET.etag(for: body)
        fields[.cacheControl] = "no-cache"
        cache?.invalidate()
        return JSONResponse.make(status: status, body: body, headers: fields)
    }

    /// The response to a delete: the item as it was, no ETag (it has no current representation).
    public func deleted<Context: PlinthRequestContext>(_ request: Request, _ context: Context, _ serialize: (_ pretty: Bool) -> ByteBuffer)
        -> Response
    {
        cache?.invalidate()
        return JSONResponse.make(body: Self.timed(context, arity: 1) { serialize(pretty(request)) })
    }

    /// The `If-Match` check for a write: the ETags a GET of the item gives, compact or pretty, so
    /// a client may send whichever it read; `nil` without `If-Match`.
    public func ifMatch<Model>(_ request: Request, _ serialize: @escaping @Sendable (Model, _ pretty: Bool) -> ByteBuffer) -> WritePrecondition<
        Model
    >? {
        guard let condition = IfMatch(request) else { return nil }
        return { model in
            try condition.check(currentETags: [false, true].map { ConditionalGET.etag(for: serialize(model, $0)) })
        }
    }

    /// The `:name` path parameter as a UUID; a malformed one is 404, as an unknown one.
    public func id<Context: PlinthRequestContext>(_ context: Context, _ name: String = "id", noun: String) throws -> UUID {
        let text = context.parameters.get(name) ?? ""
        guard let id = UUID(canonical: text) else { throw APIError(.notFound, message: "No \(noun) with id \(text.prefix(64)).") }
        return id
    }

    /// The JSON body of a write, after the token: 401, 415 or 413 otherwise.
    public func body(_ request: Request) async throws -> Data {
        try token.authorize(request)
        return try await JSONBody.read(request, maxBytes: Self.maxBodyBytes)
    }

    /// Whether this request wants indented JSON.
    public func pretty(_ request: Request) -> Bool {
        JSONResponse.wantsPretty(request, default: prettyJSON)
    }

    /// Runs a serializer and records its item count and time for the canonical log line.
    static func timed<Context: PlinthRequestContext>(_ context: Context, arity: Int, _ write: () -> ByteBuffer) -> ByteBuffer {
        let start = ContinuousClock.now
        let body = write()
        record(context, arity: arity, since: start)
        return body
    }

    /// Records a serialization for the canonical log line; a page is read and written in one pass,
    /// so its time includes reading the rows.
    static func record<Context: PlinthRequestContext>(_ context: Context, arity: Int, since start: ContinuousClock.Instant) {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        context.requestLog.serializationArity = arity
        context.requestLog.serializationSeconds = Double(seconds) + Double(attoseconds) / 1e18
    }
}
