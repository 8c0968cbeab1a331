import HTTPTypes
import Hummingbird
import PlinthCore

/// A request's `If-Match` precondition (RFC 9110 §13.1.1), for writes that must not overwrite a
/// change the client has not seen.
///
/// Comparison is strong: a weak tag (`W/"..."`) never matches. `*` matches any current
/// representation. A tag matches the identity ETag or the ETag of its gzip or deflate variant,
/// since a client may have read either.
/// ```swift
/// let condition = IfMatch(request)
/// try condition?.check(currentETags: [ConditionalGET.etag(for: body)])   // 412 when none matches
/// ```
public struct IfMatch: Sendable, Equatable {
    /// Whether the header was `*`.
    public let any: Bool
    /// The strong entity tags listed, quotes included.
    public let tags: [String]

    /// The precondition in `request`, or `nil` when it has no `If-Match`.
    public init?(_ request: Request) {
        self.init(request.headers[values: .ifMatch])
    }

    /// The precondition in these `If-Match` field values, or `nil` when there are none.
    public init?(_ values: [String]) {
        guard !values.isEmpty else { return nil }
        var any = false
        var tags: [String] = []
        for value in values {
            for candidate in value.split(separator: ",") {
                let tag = candidate.trimmingASCIIWhitespace()
                if tag == "*" {
                    any = true
                } else if !tag.hasPrefix("W/") {
                    tags.append(tag)
                }
            }
        }
        self.any = any
        self.tags = tags
    }

    /// Whether one of `etags` (identity ETags of the current representations) is listed.
    public func matches(_ etags: [String]) -> Bool {
        if any { return true }
        for etag in etags {
            for tag in tags where tag == etag || tag == ContentCoding.gzip.etag(etag) || tag == ContentCoding.deflate.etag(etag) {
                return true
            }
        }
        return false
    }

    /// Throws 412 `precondition_failed` unless one of `currentETags` is listed.
    public func check(currentETags: [String]) throws {
        guard matches(currentETags) else {
            throw APIError(
                .preconditionFailed,
                message: "If-Match names none of this resource's current ETags: it changed since you read it; GET it again."
            )
        }
    }
}
