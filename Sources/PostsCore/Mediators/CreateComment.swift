import Foundation
import PlinthCore

/// Creates a comment on a post from validated input: a fresh id, both timestamps now.
public struct CreateComment: Sendable {
    /// Where the comment goes.
    public let store: CommentStore

    /// Creates the mediator.
    public init(store: CommentStore) {
        self.store = store
    }

    /// Stores and returns the new comment; 404 when the post does not exist.
    public func call(postID: UUID, _ input: CommentInput, now: Timestamp = .now()) async throws -> Comment {
        let comment = Comment(id: .random(), postID: postID, author: input.author ?? "", body: input.body ?? "", createdAt: now, updatedAt: now)
        guard try await store.insert(comment) else { throw APIError(.notFound, message: "No post with id \(postID.lowercasedString).") }
        return comment
    }
}
