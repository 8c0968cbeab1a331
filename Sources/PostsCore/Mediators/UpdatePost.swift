import Foundation
import PlinthCore

/// Changes the given fields of a post and moves its `updated_at`; `created_at` stays.
public struct UpdatePost: Sendable {
    /// Where the post lives.
    public let store: PostStore

    /// Creates the mediator.
    public init(store: PostStore) {
        self.store = store
    }

    /// Returns the updated post; 404 when there is none. `precondition` sees the current post
    /// first, atomically with the write, and throws to refuse it (`If-Match`).
    public func call(id: UUID, _ input: PostInput, precondition: WritePrecondition<Post>? = nil, now: Timestamp = .now()) async throws -> Post {
        guard let post = try await store.update(id: id, title: input.title, body: input.body, updatedAt: now, precondition: precondition) else {
            throw APIError(.notFound, message: "No post with id \(id.lowercasedString).")
        }
        return post
    }
}
