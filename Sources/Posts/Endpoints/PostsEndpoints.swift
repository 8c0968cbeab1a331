import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Plinth
import PlinthCore
import PostsCore

/// `/posts`: list, create, show, update, delete. Parses, calls a mediator or the store, serializes.
public struct PostsEndpoints: Sendable {
    let store: PostStore
    let resource: ResourceEndpoints

    /// Creates the endpoints.
    public init(store: PostStore, resource: ResourceEndpoints) {
        self.store = store
        self.resource = resource
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
        try await resource.page(request, context, cacheKey: "posts", noun: "post") { [store] query, page in
            try await store.list(query, into: page) { page, post in page.append(post, PostSerializer.write) }
        }
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let post = try await CreatePost(store: store).call(try PostInput(json: try await resource.body(request), requireAll: true))
        return resource.written(request, context, status: .created, headers: [.location: "/posts/\(post.id.lowercasedString)"]) {
            PostSerializer(pretty: $0).serialize(post)
        }
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try resource.id(context, noun: "post")
        guard let post = try await store.find(id: id) else { throw APIError(.notFound, message: "No post with id \(id.lowercasedString).") }
        return resource.show(request, context) { PostSerializer(pretty: $0).serialize(post) }
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await resource.body(request)
        let id = try resource.id(context, noun: "post")
        let input = try PostInput(json: body, requireAll: false)
        let post = try await UpdatePost(store: store).call(id: id, input, precondition: resource.ifMatch(request, Self.serialize))
        return resource.written(request, context) { PostSerializer(pretty: $0).serialize(post) }
    }

    @Sendable func destroy(_ request: Request, context: AppRequestContext) async throws -> Response {
        try resource.token.authorize(request)
        let id = try resource.id(context, noun: "post")
        let post = try await DestroyPost(store: store).call(id: id, precondition: resource.ifMatch(request, Self.serialize))
        return resource.deleted(request, context) { PostSerializer(pretty: $0).serialize(post) }
    }

    @Sendable static func serialize(_ post: Post, pretty: Bool) -> ByteBuffer {
        PostSerializer(pretty: pretty).serialize(post)
    }
}
