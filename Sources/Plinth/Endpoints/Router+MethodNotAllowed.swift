import HTTPTypes
import Hummingbird

extension Router {
    /// Answers 405 `method_not_allowed`, with `Allow`, for the common methods a route lacks.
    ///
    /// Hummingbird answers 404 for a known path with an unknown method; Pliny (Sinatra) and HTTP
    /// say 405. Call after every route is added.
    public func addMethodNotAllowedResponders() {
        let candidates: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace]
        var methodsByPath: [String: (path: RouterPath, methods: Set<HTTPRequest.Method>)] = [:]
        for route in routes {
            methodsByPath[route.path.description, default: (route.path, [])].methods.insert(route.method)
        }
        for (_, entry) in methodsByPath {
            var allowed = entry.methods
            if allowed.contains(.get) { allowed.insert(.head) }
            let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            for method in candidates where !allowed.contains(method) {
                on(entry.path, method: method) { request, _ -> Response in
                    throw APIError(
                        .methodNotAllowed,
                        message: "\(request.method.rawValue) is not allowed on this resource; use \(allow).",
                        headers: [.allow: allow]
                    )
                }
            }
        }
    }
}
