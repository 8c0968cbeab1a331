import NIOCore
import PlinthCore

/// The wire format of a comment: `{"id","post_id","author","body","created_at","updated_at"}`.
public enum CommentSerializer {
    /// One comment as a JSON object.
    @Sendable public static func serialize(_ comment: Comment, pretty: Bool) -> ByteBuffer {
        var writer = JSONWriter(buffer: ByteBuffer(), pretty: pretty)
        write(comment, to: &writer)
        return writer.buffer
    }

    /// Writes one comment, a model or a row read in place, as a JSON object.
    public static func write(_ comment: some CommentFields, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.uuid(comment.id)
        writer.key("post_id")
        writer.uuid(comment.postID)
        writer.key("author")
        writer.string(comment.author)
        writer.key("body")
        writer.string(comment.body)
        writer.key("created_at")
        writer.timestamp(comment.createdAt)
        writer.key("updated_at")
        writer.timestamp(comment.updatedAt)
        writer.endObject()
    }
}
