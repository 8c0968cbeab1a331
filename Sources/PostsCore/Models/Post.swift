import Foundation
import PlinthCore

/// A blog post, as stored: plain values, no wire format.
public struct Post: ListItem, Sendable, Equatable {
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

/// What a post's serializer reads: a ``Post``, or a ``PostRow`` read in place from the database.
public protocol PostFields: ListItem {
    /// The text type: `String`, or text read in place.
    associatedtype Text: UTF8Text
    /// The title.
    var title: Text { get }
    /// The body.
    var body: Text { get }
    /// When the post last changed.
    var updatedAt: Timestamp { get }
}

extension Post: PostFields {}
