import Foundation
import PlinthCore

/// A blog post, as stored: plain values, no wire format.
public struct Post: ListItem, Equatable {
    /// The post's UUID.
    public var id: UUID
    /// The title, 1–200 characters, trimmed.
    public var title: String
    /// The body, 1–100,000 characters.
    public var body: String
    /// When the post was created (UTC, to the second).
    public var createdAt: Timestamp
    /// When the post last changed (UTC, to the second).
    public var updatedAt: Timestamp

    /// Creates a post.
    public init(id: UUID, title: String, body: String, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.title = title
        self.body = body
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
