import Foundation
import HTTPTypes
import Hummingbird
import PlinthCore

/// Gives every request a fresh UUID, answered alone in `Request-Id`, as Pliny's `RequestID`.
///
/// Ids received in `Request-Id` or `X-Request-Id` (comma-separated lists allowed) are kept, after
/// the fresh one, in the context's ``PlinthRequestContext/requestIDs`` for the canonical log line's
/// `request_ids`, so a request can be followed across services; only UUIDs are kept, so a client
/// cannot inject arbitrary text into logs. Every line the request's `context.logger` writes
/// carries the fresh id as `request_id`, the key of the canonical line, so the two join.
/// ```swift
/// router.add(middleware: RequestIDMiddleware())
/// ```
public struct RequestIDMiddleware<Context: PlinthRequestContext>: RouterMiddleware {
    /// The most ids kept from a client.
    public let maxReceived: Int

    /// Creates the middleware.
    public init(maxReceived: Int = 10) {
        self.maxReceived = maxReceived
    }

    /// Sets the ids on the context and the `Request-Id` header on the response.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = UUID.random().lowercasedString
        context.requestIDs = [id] + Self.receivedIDs(request.headers, limit: maxReceived)
        // Hummingbird's own `hb.request.id` (set by `Application` and its test client) would be a
        // second, unrelated id on every line; use `context.requestID` rather than `context.id`.
        context.logger[metadataKey: "hb.request.id"] = nil
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }

    /// The valid UUIDs in `Request-Id` and `X-Request-Id`, lowercased, at most `limit`.
    static func receivedIDs(_ headers: HTTPFields, limit: Int) -> [String] {
        var ids: [String] = []
        for name in [HTTPField.Name.requestID, .xRequestID] {
            for value in headers[values: name] {
                for part in value.split(separator: ",") where ids.count < limit {
                    let candidate = part.trimmingCharacters(in: .whitespaces)
                    if let uuid = UUID(canonical: candidate) {
                        ids.append(uuid.lowercasedString)
                    }
                }
            }
        }
        return ids
    }
}

extension HTTPField.Name {
    /// `Request-Id`.
    public static let requestID = Self("Request-Id")!
    /// `X-Request-Id`.
    public static let xRequestID = Self("X-Request-Id")!
    /// `Next-Range`, Heroku's pagination continuation.
    public static let nextRange = Self("Next-Range")!
}
