import Foundation
import PlinthCore

/// A comment on a post, as stored.
public struct Comment: ListItem, Sendable, Equatable {
    /// The comment's UUID.
    public var id: UUID
    /// The post it belongs to.
    public var postID: UUID
    /// Who wrote it, 1–100 characters, trimmed.
    public var author: String
    /// The text, 1–10,000 characters.
    public var body: String
    /// When it was created (UTC, to the second).
    public var createdAt: Timestamp
    /// When it last changed.
    public var updatedAt: Timestamp

    /// Creates a comment.
    public init(id: UUID, postID: UUID, author: String, body: String, createdAt: Timestamp, updatedAt: Timestamp) {
        (self.id, self.postID, self.author, self.body, self.createdAt, self.updatedAt) = (id, postID, author, body, createdAt, updatedAt)
    }
}

/// What a comment's serializer reads: a ``Comment``, or a ``CommentRow`` read in place.
public protocol CommentFields: ListItem {
    associatedtype Text: UTF8Text
    var postID: UUID { get }
    var author: Text { get }
    var body: Text { get }
    var updatedAt: Timestamp { get }
}

extension Comment: CommentFields {}
