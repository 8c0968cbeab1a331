import Hummingbird
import NIOCore
import PlinthCore

/// `GET /docs`: the API reference, rendered once from the OpenAPI document the server serves, as one
/// HTML page with no scripts or external assets; served like any GET (ETag, 304, compression).
public struct DocsEndpoint<Context: RequestContext>: Sendable {
    /// The page's bytes.
    public let page: ByteBuffer

    /// Renders the page from `reference`, read from the OpenAPI document the server serves.
    public init(reference: APIReference) {
        page = ByteBuffer(string: reference.html())
    }

    /// Adds `GET /docs` to `router`.
    public func addRoutes(to router: Router<Context>) {
        let etag = ConditionalGET.etag(for: page)
        router.get("/docs") { [page] request, _ in
            ConditionalGET.respond(
                to: request, body: page, etag: etag,
                headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "public, max-age=300"])
        }
    }
}
