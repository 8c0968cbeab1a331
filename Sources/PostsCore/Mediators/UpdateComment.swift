import Foundation
import PlinthCore

/// Changes the given fields of a comment and moves its `updated_at`.
public struct UpdateComment: Sendable {
    /// Where the comment lives.
    public let store: CommentStore

    /// Creates the mediator.
    public init(store: CommentStore) {
        self.store = store
    }

    /// Returns the updated comment; 404 when there is none. `precondition` sees it first, atomically.
    public func call(id: UUID, _ input: CommentInput, precondition: WritePrecondition<Comment>? = nil, now: Timestamp = .now()) async throws
        -> Comment
    {
        guard let comment = try await store.update(id: id, author: input.author, body: input.body, updatedAt: now, precondition: precondition)
        else { throw APIError(.notFound, message: "No comment with id \(id.lowercasedString).") }
        return comment
    }
}
