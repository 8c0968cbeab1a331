import NIOCore
import PlinthCore

/// The wire format of a comment: `{"id","post_id","author","body","created_at","updated_at"}`.
public struct CommentSerializer: Sendable {
    /// Whether to indent.
    public let pretty: Bool

    /// Creates a serializer.
    public init(pretty: Bool = false) {
        self.pretty = pretty
    }

    /// One comment as a JSON object.
    public func serialize(_ comment: Comment) -> ByteBuffer {
        var writer = JSONWriter(buffer: ByteBuffer(), pretty: pretty)
        write(comment, to: &writer)
        return writer.buffer
    }

    /// Comments as a JSON array.
    public func serialize(_ comments: [Comment]) -> ByteBuffer {
        var writer = JSONWriter(buffer: ByteBuffer(), pretty: pretty)
        writer.beginArray()
        for comment in comments { write(comment, to: &writer) }
        writer.endArray()
        return writer.buffer
    }

    private func write(_ comment: Comment, to writer: inout JSONWriter) {
        writer.beginObject()
        for (key, value) in [
            ("id", comment.id.lowercasedString), ("post_id", comment.postID.lowercasedString), ("author", comment.author),
            ("body", comment.body), ("created_at", comment.createdAt.iso8601), ("updated_at", comment.updatedAt.iso8601),
        ] {
            writer.key(key)
            writer.string(value)
        }
        writer.endObject()
    }
}
