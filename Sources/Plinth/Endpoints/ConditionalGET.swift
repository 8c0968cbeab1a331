import HTTPTypes
import Hummingbird
import NIOCore
import PlinthCore

/// Strong `ETag`s and `If-None-Match` handling for responses whose bytes an endpoint holds.
public enum ConditionalGET {
    /// A strong ETag for `body`: a 64-bit FNV-1a-style hash of its bytes, quoted.
    ///
    /// Not cryptographic: an ETag only has to change when the body does. Hashes eight bytes per
    /// step in four independent lanes, so the multiplies overlap rather than wait on each other
    /// (one lane is a chain of ~4,800 dependent multiplies for a 38 KB page), then mixes the
    /// lanes so every input bit reaches every output bit.
    public static func etag(for body: ByteBuffer) -> String {
        let prime: UInt64 = 0x100_0000_01b3
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4, 0x9ce4_cbf2_2325_8422, 0x2325_8422_9ce4_cbf2)
        var hash: UInt64 = 0
        body.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset + 32 <= bytes.count {
                lanes.0 = (lanes.0 ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* prime
                lanes.1 = (lanes.1 ^ bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)) &* prime
                lanes.2 = (lanes.2 ^ bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)) &* prime
                lanes.3 = (lanes.3 ^ bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)) &* prime
                offset += 32
            }
            hash = Self.mix(lanes.0) ^ Self.mix(lanes.1 &+ 1) &* 3 ^ Self.mix(lanes.2 &+ 2) &* 5 ^ Self.mix(lanes.3 &+ 3) &* 7
            while offset < bytes.count {
                hash = (hash ^ UInt64(bytes[offset])) &* prime
                offset += 1
            }
        }
        hash = mix(hash ^ UInt64(body.readableBytes))
        return String(unsafeUninitializedCapacity: 18) { out in
            let digits: StaticString = "0123456789abcdef"
            out[0] = UInt8(ascii: "\"")
            for index in 0..<16 { out[16 - index] = digits.utf8Start[Int(hash >> (4 * UInt64(index)) & 0x0F)] }
            out[17] = UInt8(ascii: "\"")
            return 18
        }
    }

    /// MurmurHash3's 64-bit finalizer.
    private static func mix(_ value: UInt64) -> UInt64 {
        var hash = (value ^ (value >> 33)) &* 0xff51_afd7_ed55_8ccd
        hash = (hash ^ (hash >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return hash ^ hash >> 33
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
    ///
    /// The 304 carries what RFC 9110 §15.4.5 asks of it: the `ETag`, `Vary` and `Cache-Control` the 200
    /// would have had (after ``CompressionMiddleware``, which passes 304s by), and none of the body's
    /// metadata (`Content-Type`, `Content-Encoding`).
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
            if fields[.contentEncoding] == nil, body.readableBytes >= ContentCoding.minimumBytes {
                CompressionMiddleware<BasicRequestContext>.addVary(&fields)
                if request.method != .head, let coding = ContentCoding.negotiate(request.headers[.acceptEncoding]) {
                    fields[.eTag] = coding.etag(tag)
                }
            }
            fields[.contentType] = nil
            fields[.contentEncoding] = nil
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
        return ConditionalGET.respond(to: request, status: status, body: gzipBody, etag: ContentCoding.gzip.etag(etag), headers: fields)
    }
}
