import Hummingbird
import Logging

/// Writes exactly one logfmt line per request at `info`, with Pliny's canonical field names.
///
/// Runs outside ``RescueErrorsMiddleware``, so it sees the final status and the error recorded
/// in the context's ``RequestLog``.
/// ```swift
/// router.add(middleware: CanonicalLogLineMiddleware(logger: logger))
/// ```
public struct CanonicalLogLineMiddleware<Context: PlinthRequestContext>: RouterMiddleware {
    /// The logger the lines go to.
    public let logger: Logger

    /// Creates the middleware.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Times the request and logs its line, also when the chain throws.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard logger.logLevel <= .info else { return try await next(request, context) }
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, status: response.status.code, length: response.body.contentLength, start: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            context.requestLog.errorClass = context.requestLog.errorClass ?? String(reflecting: type(of: error))
            log(request, context, status: status, length: nil, start: start)
            throw error
        }
    }

    private func log(_ request: Request, _ context: Context, status: Int, length: Int?, start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let record = context.requestLog
        var metadata: Logger.Metadata = [
            "request_id": .string(context.requestID),
            "request_method": .string(request.method.rawValue),
            "request_path": .string(request.uri.path),
            "request_route_signature": .string(context.endpointPath ?? ""),
            "request_user_agent": .string(request.headers[.userAgent] ?? ""),
            "response_status": .stringConvertible(status),
            "timing_total_elapsed": .string(Self.seconds(elapsed)),
        ]
        if let ip = context.remoteIP { metadata["request_ip"] = .string(ip) }
        if let length { metadata["response_length"] = .stringConvertible(length) }
        if let arity = record.serializerArity { metadata["serializer_arity"] = .stringConvertible(arity) }
        if let seconds = record.serializerSeconds { metadata["timing_serializer"] = .string(Self.format(seconds)) }
        if let errorClass = record.errorClass { metadata["error_class"] = .string(errorClass) }
        if let errorID = record.errorID { metadata["error_id"] = .string(errorID) }
        if let message = record.errorMessage { metadata["error_message"] = .string(message) }
        logger.info("canonical_log_line", metadata: metadata)
    }

    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return format(Double(seconds) + Double(attoseconds) / 1e18)
    }

    private static func format(_ seconds: Double) -> String {
        let micros = Int((seconds * 1_000_000).rounded())
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }
}
