import Hummingbird
import Logging
import NIOCore
import PlinthCore

/// Turns every error into Pliny's JSON error response, leaking no internals.
///
/// ``APIError`` renders as itself, Hummingbird's `HTTPError` (no route, body too large) maps to
/// the matching Pliny id, anything else becomes 500 `internal_server_error`, with the real error
/// kept for the canonical log line; work cancelled because the client left is logged as 499
/// `client_closed_request`, as nginx does. With `raiseErrors` unexpected errors propagate instead, for
/// debugging, as Pliny's `RAISE_ERRORS`. A request that the admission of ``PlinthHTTP1Channel`` refused is answered
/// with its 503 here, without running the rest of the chain.
/// ```swift
/// router.add(middleware: RescueErrorsMiddleware(raiseErrors: config.raiseErrors))
/// ```
public struct RescueErrorsMiddleware<Context: PlinthRequestContext>: RouterMiddleware {
    /// Whether unexpected errors propagate rather than become 500s.
    public let raiseErrors: Bool

    /// Creates the middleware.
    public init(raiseErrors: Bool = false) {
        self.raiseErrors = raiseErrors
    }

    /// Calls the rest of the chain and renders any error it throws.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            if let refusal = Admission.refusal { throw refusal }
            return try await next(request, context)
        } catch {
            let apiError: APIError
            switch error {
            case _ where Task.isCancelled && !(error is APIError):
                // The client left and its work was cancelled (see `PlinthHTTP1Channel`); nobody
                // reads this response, but the log line and metrics say what happened.
                apiError = APIError(.clientClosedRequest)
                context.requestLog.errorClass = String(reflecting: type(of: error))
            case let error as APIError:
                apiError = error
                context.requestLog.errorClass = "APIError"
            case let error as any APIErrorConvertible:
                apiError = error.apiError
                context.requestLog.errorClass = String(reflecting: type(of: error))
                context.logger.warning("request failed", metadata: ["error": "\(String(reflecting: error))"])
            case let error as HTTPError:
                apiError = APIError(error)
                context.requestLog.errorClass = "HTTPError"
            default:
                context.requestLog.errorClass = String(reflecting: type(of: error))
                if raiseErrors { throw error }
                apiError = APIError(.internalServerError)
                context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            }
            context.requestLog.errorID = apiError.id
            context.requestLog.errorMessage = apiError.message
            return apiError.response(allocator: ByteBufferAllocator())
        }
    }
}
