import Foundation
import PlinthCore

/// Deletes a post and returns it.
public struct DestroyPost: Sendable {
    /// Where the post lives.
    public let store: PostStore

    /// Creates the mediator.
    public init(store: PostStore) {
        self.store = store
    }

    /// Returns the deleted post; 404 when there is none. `precondition` is checked as for ``UpdatePost``.
    public func call(id: UUID, precondition: WritePrecondition<Post>? = nil) async throws -> Post {
        guard let post = try await store.delete(id: id, precondition: precondition) else {
            throw APIError(.notFound, message: "No post with id \(id.lowercasedString).")
        }
        return post
    }
}
