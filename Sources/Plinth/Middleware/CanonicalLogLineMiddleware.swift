import Hummingbird
import Logging
import PlinthCore

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
        if let handler = logger.handler as? LogfmtLogHandler, handler.metadata.isEmpty {
            // The same line as below, without the metadata dictionary: building it, hashing its
            // keys and sorting them was ~7% of the CPU of a cached `GET /posts` (perf, wrk -t2 -c50).
            var line = "at=info msg=canonical_log_line"
            line.reserveCapacity(512)
            forEachField(request, context, status: status, length: length, elapsed: elapsed) { Logfmt.append($0, $1, to: &line) }
            handler.output.write(line: line)
        } else {
            var metadata: Logger.Metadata = [:]
            forEachField(request, context, status: status, length: length, elapsed: elapsed) { metadata[$0] = .string($1) }
            logger.info("canonical_log_line", metadata: metadata)
        }
    }

    /// Calls `field` with each of the line's keys and values, in key order (``LogfmtLogHandler``'s order).
    private func forEachField(
        _ request: Request,
        _ context: Context,
        status: Int,
        length: Int?,
        elapsed: Duration,
        _ field: (String, String) -> Void
    ) {
        let record = context.requestLog
        if let errorClass = record.errorClass { field("error_class", errorClass) }
        if let errorID = record.errorID { field("error_id", errorID) }
        if let message = record.errorMessage { field("error_message", message) }
        field("request_id", context.requestID)
        if context.requestIDs.count > 1 { field("request_ids", context.requestIDs.joined(separator: ",")) }
        if let ip = context.remoteIP { field("request_ip", ip) }
        field("request_method", request.method.rawValue)
        field("request_path", request.uri.path)
        field("request_route_signature", context.endpointPath ?? "")
        field("request_user_agent", request.headers[.userAgent] ?? "")
        if let length { field("response_length", String(length)) }
        field("response_status", String(status))
        if let arity = record.serializationArity { field("serialization_arity", String(arity)) }
        if let seconds = record.serializationSeconds { field("timing_serialization", Self.format(seconds)) }
        field("timing_total_elapsed", Self.seconds(elapsed))
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
