import HTTPTypes
import Hummingbird
import PlinthCore

extension Router {
    /// Answers 405 `method_not_allowed`, with `Allow`, for the methods a route lacks.
    ///
    /// Hummingbird answers 404 for a known path with an unknown method; Pliny (Sinatra) and HTTP
    /// say 405. The common methods get a route each; any other method (`QUERY`, `PROPFIND`, ...)
    /// is caught on the not-found path, so routes served normally pay nothing. Call after every
    /// route is added.
    public func addMethodNotAllowedResponders() {
        let candidates: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace]
        var methodsByPath: [String: (path: RouterPath, methods: Set<HTTPRequest.Method>)] = [:]
        for route in routes {
            methodsByPath[route.path.description, default: (route.path, [])].methods.insert(route.method)
        }
        var allowByPath: [(path: RouterPath, allow: String)] = []
        for (_, entry) in methodsByPath {
            var allowed = entry.methods
            if allowed.contains(.get) { allowed.insert(.head) }
            let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            allowByPath.append((entry.path, allow))
            for method in candidates where !allowed.contains(method) {
                on(entry.path, method: method) { request, _ -> Response in throw methodNotAllowed(request.method, allow: allow) }
            }
        }
        // Added after every route, this middleware runs only on the not-found path.
        add(middleware: UnknownMethodMiddleware(routes: allowByPath, known: Set(candidates)))
    }
}

private func methodNotAllowed(_ method: HTTPRequest.Method, allow: String) -> APIError {
    APIError(
        .methodNotAllowed,
        message: "\(method.rawValue.prefix(40)) is not allowed on this resource; use \(allow).",
        headers: [.allow: allow]
    )
}

/// 405 for a method no route knows, on a path some route serves.
private struct UnknownMethodMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: [(path: RouterPath, allow: String)]
    let known: Set<HTTPRequest.Method>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if !known.contains(request.method), let route = routes.first(where: { $0.path.matches(request.uri.path) }) {
            throw methodNotAllowed(request.method, allow: route.allow)
        }
        return try await next(request, context)
    }
}

extension RouterPath {
    /// Whether `path` fits this pattern: literal components equal, `:capture`s, `{capture}`s and
    /// `*` patterns take any one component, `**` the rest.
    func matches(_ path: String) -> Bool {
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        var index = 0
        for element in self {
            let pattern = element.description
            if pattern == "**" { return true }
            guard index < components.count else { return false }
            let literal = !(pattern.hasPrefix(":") || pattern.hasPrefix("{") || pattern.contains("*"))
            if literal, components[index] != pattern { return false }
            index += 1
        }
        return index == components.count
    }
}
