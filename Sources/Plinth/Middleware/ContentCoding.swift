import CompressNIO
import NIOCore
import PlinthCore

/// An HTTP content coding this server can produce: `gzip` or `deflate` (zlib format, per RFC 9110).
public struct ContentCoding: Sendable, Hashable {
    /// The token in `Accept-Encoding` and `Content-Encoding`.
    public let name: String

    /// `gzip`.
    public static let gzip = ContentCoding(name: "gzip")
    /// `deflate`.
    public static let deflate = ContentCoding(name: "deflate")

    /// Bodies smaller than this are sent as they are: compressing them saves nothing. The default
    /// of ``CompressionMiddleware``, and what ``ConditionalGET`` assumes when it answers 304 in its place.
    public static let minimumBytes = 1024

    /// The coding to use for a request's `Accept-Encoding`: gzip before deflate, honouring `q=0`
    /// and `*`; `nil` for identity.
    public static func negotiate(_ acceptEncoding: String?) -> ContentCoding? {
        guard let acceptEncoding, !acceptEncoding.isEmpty else { return nil }
        var quality: [String: Double] = [:]
        for item in acceptEncoding.split(separator: ",") {
            let parts = item.split(separator: ";")
            let token = parts.first?.trimmingASCIIWhitespace().lowercased() ?? ""
            var q = 1.0
            for parameter in parts.dropFirst() {
                let (name, value) = parameter.trimmingASCIIWhitespace().splitOnce("=")
                if name == "q", let value, let number = Double(value) { q = number }
            }
            quality[token] = q
        }
        for coding in [gzip, deflate] {
            if let q = quality[coding.name] ?? quality["*"], q > 0 { return coding }
        }
        return nil
    }

    /// `body` compressed with this coding, or `nil` if zlib fails.
    public func compress(_ body: ByteBuffer) -> ByteBuffer? {
        var input = body
        let algorithm: CompressionAlgorithm = self == .gzip ? .gzip() : .zlib()
        return try? input.compress(with: algorithm)
    }

    /// The ETag of the encoded variant: a strong ETag must differ per representation.
    public func etag(_ identity: String) -> String {
        guard identity.hasSuffix("\"") else { return identity }
        return String(identity.dropLast()) + "-" + name + "\""
    }
}
