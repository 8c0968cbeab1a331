import Foundation
import PlinthCore

/// Creates a post from validated input: a fresh id, both timestamps now.
public struct CreatePost: Sendable {
    /// Where the post goes.
    public let store: PostStore

    /// Creates the mediator.
    public init(store: PostStore) {
        self.store = store
    }

    /// Stores and returns the new post.
    public func call(_ input: PostInput, now: Timestamp = .now()) async throws -> Post {
        guard let title = input.title, let body = input.body else {
            throw APIError(.unprocessableEntity, message: "Invalid post: title and body are required.")
        }
        let post = Post(id: .random(), title: title, body: body, createdAt: now, updatedAt: now)
        try await store.insert(post)
        return post
    }
}
