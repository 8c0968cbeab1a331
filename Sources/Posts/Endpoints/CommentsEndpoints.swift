import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Plinth
import PlinthCore
import PostsCore

/// `/posts/:id/comments` (list, create) and `/comments/:id` (show, update, delete).
public struct CommentsEndpoints: Sendable {
    let store: CommentStore
    let resource: ResourceEndpoints

    /// Creates the endpoints.
    public init(store: CommentStore, resource: ResourceEndpoints) {
        self.store = store
        self.resource = resource
    }

    /// Adds the routes to `router`.
    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/posts/:id/comments", use: list)
        router.post("/posts/:id/comments", use: create)
        router.get("/comments/:id", use: show)
        router.patch("/comments/:id", use: update)
        router.delete("/comments/:id", use: destroy)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let postID = try resource.id(context, noun: "post")
        return try await resource.page(request, context, cacheKey: "comments|\(postID.lowercasedString)", noun: "comment") { [store] query, page in
            guard let page = try await store.list(postID: postID, query, into: page, { $0.append($1, CommentSerializer.write) }) else {
                throw Self.noPost(postID)
            }
            return page
        }
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await resource.body(request)
        let postID = try resource.id(context, noun: "post")
        let comment = try await CreateComment(store: store).call(postID: postID, try CommentInput(json: body, requireAll: true))
        return resource.written(request, context, status: .created, headers: [.location: "/comments/\(comment.id.lowercasedString)"]) {
            CommentSerializer.serialize(comment, pretty: $0)
        }
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try resource.id(context, noun: "comment")
        guard let comment = try await store.find(id: id) else { throw APIError(.notFound, message: "No comment with id \(id.lowercasedString).") }
        return resource.show(request, context) { CommentSerializer.serialize(comment, pretty: $0) }
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await resource.body(request)
        let id = try resource.id(context, noun: "comment")
        let input = try CommentInput(json: body, requireAll: false)
        let comment = try await UpdateComment(store: store).call(id: id, input, precondition: resource.ifMatch(request, CommentSerializer.serialize))
        return resource.written(request, context) { CommentSerializer.serialize(comment, pretty: $0) }
    }

    @Sendable func destroy(_ request: Request, context: AppRequestContext) async throws -> Response {
        try resource.token.authorize(request)
        let id = try resource.id(context, noun: "comment")
        let comment = try await DestroyComment(store: store).call(id: id, precondition: resource.ifMatch(request, CommentSerializer.serialize))
        return resource.deleted(request, context) { CommentSerializer.serialize(comment, pretty: $0) }
    }

    static func noPost(_ id: UUID) -> APIError { APIError(.notFound, message: "No post with id \(id.lowercasedString).") }
}
