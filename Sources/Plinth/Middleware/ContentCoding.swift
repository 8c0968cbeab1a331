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

    /// How hard zlib works on a body.
    public enum Effort: Sendable {
        /// zlib's level 1, as nginx's `gzip_comp_level` defaults to: for a body compressed on every
        /// request, where level 6 cost more CPU than making the body did.
        case fast
        /// zlib's default, level 6: for a body compressed once and served many times (a cached one).
        case thorough
    }

    /// `body` compressed with this coding, or `nil` if zlib fails.
    public func compress(_ body: ByteBuffer, effort: Effort = .thorough) -> ByteBuffer? {
        var input = body
        let configuration = ZlibConfiguration(compressionLevel: effort == .fast ? .fastestCompression : .defaultCompressionLevel)
        let algorithm: CompressionAlgorithm = self == .gzip ? .gzip(configuration: configuration) : .zlib(configuration: configuration)
        return try? input.compress(with: algorithm)
    }

    /// The ETag of the encoded variant: a strong ETag must differ per representation.
    public func etag(_ identity: String) -> String {
        guard identity.hasSuffix("\"") else { return identity }
        return String(identity.dropLast()) + "-" + name + "\""
    }
}
