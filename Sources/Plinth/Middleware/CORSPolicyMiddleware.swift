import HTTPTypes
import Hummingbird
import PlinthCore

/// Cross-origin resource sharing for configured origins, and preflight answers.
///
/// `*` (the default) allows any origin *without* credentials. A list of origins allows exactly
/// those, echoing the matching `Origin` with credentials allowed and `Vary: Origin`. Pliny's CORS
/// reflects any origin with credentials, which lets every site act with a user's cookies; this never
/// does. Outermost in the stack, so error responses carry the headers too.
/// ```swift
/// router.add(middleware: CORSPolicyMiddleware(origins: ["https://app.example"]))
/// ```
public struct CORSPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The allowed origins; `["*"]` for any.
    public let origins: [String]
    /// Methods a preflight allows.
    public let allowMethods = "GET, HEAD, POST, PATCH, DELETE, OPTIONS"
    /// Request headers a preflight allows.
    public let allowHeaders = "Accept, Authorization, Content-Type, If-None-Match, Range, Request-Id, X-Request-Id"
    /// Response headers scripts may read.
    public let exposeHeaders = "Request-Id, Next-Range, ETag, Location, Retry-After, Content-Range"

    /// Creates the middleware.
    public init(origins: [String] = ["*"]) {
        self.origins = origins.isEmpty ? ["*"] : origins
    }

    /// Answers preflights and decorates every other response.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let allowed = allowedOrigin(origin)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers: HTTPFields = [.vary: "Origin"]
            if let allowed {
                apply(allowed, to: &headers)
                headers[.accessControlAllowMethods] = allowMethods
                headers[.accessControlAllowHeaders] = allowHeaders
                headers[.accessControlMaxAge] = "600"
            }
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        if let allowed {
            apply(allowed, to: &response.headers)
            response.headers[.accessControlExposeHeaders] = exposeHeaders
        }
        if allowed != "*" {
            let vary = response.headers[.vary] ?? ""
            response.headers[.vary] = vary.isEmpty ? "Origin" : vary + ", Origin"
        }
        return response
    }

    /// `*`, the origin itself when listed, or `nil`.
    func allowedOrigin(_ origin: String) -> String? {
        if origins.contains("*") { return "*" }
        return origins.contains(origin) ? origin : nil
    }

    private func apply(_ allowed: String, to headers: inout HTTPFields) {
        headers[.accessControlAllowOrigin] = allowed
        if allowed != "*" { headers[.accessControlAllowCredentials] = "true" }
    }
}
