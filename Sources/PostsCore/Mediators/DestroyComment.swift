import Foundation
import PlinthCore

/// Deletes a comment and returns it.
public struct DestroyComment: Sendable {
    /// Where the comment lives.
    public let store: CommentStore

    /// Creates the mediator.
    public init(store: CommentStore) {
        self.store = store
    }

    /// Returns the deleted comment; 404 when there is none. `precondition` is checked as for ``UpdateComment``.
    public func call(id: UUID, precondition: WritePrecondition<Comment>? = nil) async throws -> Comment {
        guard let comment = try await store.delete(id: id, precondition: precondition) else {
            throw APIError(.notFound, message: "No comment with id \(id.lowercasedString).")
        }
        return comment
    }
}
