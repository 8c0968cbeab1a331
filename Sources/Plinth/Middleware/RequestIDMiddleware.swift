import Foundation
import HTTPTypes
import Hummingbird

/// Gives every request a fresh UUID and echoes it, after valid ids the client sent, in `Request-Id`.
///
/// Ids received in `Request-Id` or `X-Request-Id` (comma-separated lists allowed) are kept only
/// when they are UUIDs, so a client cannot inject arbitrary text into logs or responses.
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
        var ids = [UUID().lowercasedString]
        ids += Self.receivedIDs(request.headers, limit: maxReceived)
        context.requestIDs = ids
        var response = try await next(request, context)
        response.headers[.requestID] = ids.joined(separator: ",")
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
