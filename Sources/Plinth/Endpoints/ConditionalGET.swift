import HTTPTypes
import Hummingbird
import NIOCore

/// Strong `ETag`s and `If-None-Match` handling for responses whose bytes an endpoint holds.
public enum ConditionalGET {
    /// A strong ETag for `body`: 64-bit FNV-1a of its bytes, quoted.
    ///
    /// Not cryptographic: an ETag only has to change when the body does.
    public static func etag(for body: ByteBuffer) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        body.withUnsafeReadableBytes { bytes in
            for byte in bytes {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }

    /// Whether `If-None-Match` in `request` names `etag` (or is `*`).
    public static func matches(_ request: Request, etag: String) -> Bool {
        for value in request.headers[values: .ifNoneMatch] {
            for candidate in value.split(separator: ",") {
                var tag = candidate.trimmingASCIIWhitespace()
                if tag == "*" { return true }
                if tag.hasPrefix("W/") { tag.removeFirst(2) }
                if tag == etag || tag == ContentCoding.gzip.etag(etag) || tag == ContentCoding.deflate.etag(etag) { return true }
            }
        }
        return false
    }

    /// A 200 (or `status`) JSON response with an ETag, or 304 with no body when the client has it.
    public static func respond(
        to request: Request,
        status: HTTPResponse.Status = .ok,
        body: ByteBuffer,
        etag: String? = nil,
        headers: HTTPFields = [:]
    ) -> Response {
        let tag = etag ?? self.etag(for: body)
        var fields = headers
        fields[.eTag] = tag
        if fields[.cacheControl] == nil { fields[.cacheControl] = "no-cache" }
        if matches(request, etag: tag) {
            fields[.contentType] = nil
            return Response(status: .notModified, headers: fields)
        }
        return JSONResponse.make(status: status, body: body, headers: fields)
    }
}

extension RepresentationCache.Entry {
    /// The entry as a response to `request`: 304 when the client has it, else the bytes, gzipped
    /// from the cache when the client accepts gzip.
    public func response(to request: Request) -> Response {
        guard let gzipBody, ContentCoding.negotiate(request.headers[.acceptEncoding]) == .gzip else {
            return ConditionalGET.respond(to: request, status: status, body: body, etag: etag, headers: headers)
        }
        var fields = headers
        fields[.contentEncoding] = "gzip"
        CompressionMiddleware<BasicRequestContext>.addVary(&fields)
        var response = ConditionalGET.respond(to: request, status: status, body: gzipBody, etag: ContentCoding.gzip.etag(etag), headers: fields)
        if response.status == .notModified { response.headers[.contentEncoding] = nil }
        return response
    }
}
