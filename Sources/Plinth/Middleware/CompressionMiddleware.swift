import HTTPTypes
import Hummingbird
import NIOCore
import PlinthCore

/// Compresses JSON and text responses of at least `minimumBytes` with gzip or deflate when the
/// client accepts it, and marks them `Vary: Accept-Encoding`.
///
/// Responses that already carry `Content-Encoding` (cached gzip representations) pass through;
/// the rest are compressed with ``ContentCoding/Effort/fast``, since it happens on every request.
/// ```swift
/// router.add(middleware: CompressionMiddleware())
/// ```
public struct CompressionMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Bodies smaller than this are sent as they are: compressing them saves nothing.
    public let minimumBytes: Int

    /// Creates the middleware.
    public init(minimumBytes: Int = ContentCoding.minimumBytes) {
        self.minimumBytes = minimumBytes
    }

    /// Compresses the response when worthwhile.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard response.headers[.contentEncoding] == nil, let length = response.body.contentLength, length >= minimumBytes,
            Self.isCompressible(response.headers[.contentType]), response.status != .noContent, response.status != .notModified
        else { return response }
        Self.addVary(&response.headers)
        guard request.method != .head, let coding = ContentCoding.negotiate(request.headers[.acceptEncoding]) else { return response }
        let collector = Collector()
        try await response.body.write(CollectingWriter(collector: collector))
        guard let compressed = coding.compress(collector.buffer, effort: .fast) else { return response }
        response.headers[.contentEncoding] = coding.name
        if let etag = response.headers[.eTag] { response.headers[.eTag] = coding.etag(etag) }
        response.body = .init(byteBuffer: compressed)
        return response
    }

    /// Adds `Accept-Encoding` to `Vary` unless it is there.
    public static func addVary(_ headers: inout HTTPFields) {
        let vary = headers[.vary] ?? ""
        guard !vary.lowercased().contains("accept-encoding") else { return }
        headers[.vary] = vary.isEmpty ? "Accept-Encoding" : vary + ", Accept-Encoding"
    }

    static func isCompressible(_ contentType: String?) -> Bool {
        guard let type = contentType?.lowercased() else { return false }
        return type.hasPrefix("application/json") || type.hasPrefix("text/") || type.contains("+json")
    }
}

/// Collects a response body written through `ResponseBodyWriter` (bodies are written, not read).
private final class Collector: @unchecked Sendable {
    var buffer = ByteBuffer()
}

private struct CollectingWriter: ResponseBodyWriter {
    let collector: Collector

    mutating func write(_ buffer: ByteBuffer) async throws {
        // The usual body is one buffer: keep it rather than copy it.
        if collector.buffer.readableBytes == 0 {
            collector.buffer = buffer
        } else {
            var buffer = buffer
            collector.buffer.writeBuffer(&buffer)
        }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
