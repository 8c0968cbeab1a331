import NIOCore
import PlinthCore

/// The wire format of a post: `{"id","title","body","created_at","updated_at"}`, in that order.
///
/// The only place that knows it; endpoints hand models here, never to an encoder.
public struct PostSerializer: Sendable {
    /// Whether to indent.
    public let pretty: Bool

    /// Creates a serializer.
    public init(pretty: Bool = false) {
        self.pretty = pretty
    }

    /// One post as a JSON object.
    public func serialize(_ post: Post, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var writer = JSONWriter(buffer: allocator.buffer(capacity: 160 + post.title.utf8.count + post.body.utf8.count), pretty: pretty)
        Self.write(post, to: &writer)
        return writer.buffer
    }

    /// A list of posts as a JSON array.
    public func serialize(_ posts: [Post], allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        let estimate = posts.reduce(2) { $0 + 170 + $1.title.utf8.count + $1.body.utf8.count }
        var writer = JSONWriter(buffer: allocator.buffer(capacity: estimate), pretty: pretty)
        writer.beginArray()
        for post in posts { Self.write(post, to: &writer) }
        writer.endArray()
        return writer.buffer
    }

    /// Writes one post, a model or a row read in place, as a JSON object.
    public static func write(_ post: some PostFields, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.uuid(post.id)
        writer.key("title")
        writer.string(post.title)
        writer.key("body")
        writer.string(post.body)
        writer.key("created_at")
        writer.timestamp(post.createdAt)
        writer.key("updated_at")
        writer.timestamp(post.updatedAt)
        writer.endObject()
    }
}
