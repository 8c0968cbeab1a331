import Hummingbird
import NIOCore
import PlinthCore

/// `GET /schema.json`: the API's OpenAPI document, served as kept in the repository.
public struct SchemaEndpoint<Context: RequestContext>: Sendable {
    /// The document's bytes.
    public let document: ByteBuffer

    /// Creates the endpoint for `document`.
    public init(document: ByteBuffer) {
        self.document = document
    }

    /// Adds `GET /schema.json` to `router`.
    public func addRoutes(to router: Router<Context>) {
        let etag = ConditionalGET.etag(for: document)
        router.get("/schema.json") { request, _ in
            ConditionalGET.respond(to: request, body: document, etag: etag, headers: [.cacheControl: "public, max-age=300"])
        }
    }
}
