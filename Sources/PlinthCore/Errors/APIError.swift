import HTTPTypes

/// A client-visible failure, rendered as Pliny's `{"id": "...", "message": "..."}` body.
///
/// Throw it from anywhere below an endpoint; ``RescueErrorsMiddleware`` turns it into a response:
/// ```swift
/// throw APIError(.notFound)
/// throw APIError(.unprocessableEntity, message: "title: must not be blank.")
/// ```
public struct APIError: Error, Sendable, Equatable {
    /// The kind of failure: HTTP status, Pliny id and default message.
    public var kind: Kind
    /// The message shown to the client; says what to fix.
    public var message: String
    /// Extra response headers (`Allow`, `Retry-After`, ...).
    public var headers: HTTPFields

    /// Creates an error of `kind`, with its default message unless one is given.
    public init(_ kind: Kind, message: String? = nil, headers: HTTPFields = [:]) {
        self.kind = kind
        self.message = message ?? kind.defaultMessage
        self.headers = headers
    }

    /// The HTTP status of this error.
    public var status: HTTPResponse.Status { kind.status }

    /// Pliny's error id, e.g. `not_found`.
    public var id: String { kind.id }
}

extension APIError {
    /// 503 `service_unavailable` with `Retry-After`, for overload and unreachable dependencies.
    public static func serviceUnavailable(message: String, retryAfterSeconds: Int = 1) -> APIError {
        APIError(.serviceUnavailable, message: message, headers: [.retryAfter: String(retryAfterSeconds)])
    }

    /// An error kind: status, id and default message, as Pliny's `Pliny::Errors` classes.
    ///
    /// A struct with static members rather than an enum, so that apps can add their own kinds.
    public struct Kind: Sendable, Hashable {
        /// The HTTP status.
        public var status: HTTPResponse.Status
        /// The machine-readable id.
        public var id: String
        /// The message used when none is given.
        public var defaultMessage: String

        /// Creates a kind.
        public init(status: HTTPResponse.Status, id: String, defaultMessage: String) {
            self.status = status
            self.id = id
            self.defaultMessage = defaultMessage
        }

        /// 400 `bad_request`.
        public static let badRequest = Kind(status: .badRequest, id: "bad_request", defaultMessage: "Bad request.")
        /// 400 `bad_version`.
        public static let badVersion = Kind(status: .badRequest, id: "bad_version", defaultMessage: "Bad version.")
        /// 401 `unauthorized`.
        public static let unauthorized = Kind(status: .unauthorized, id: "unauthorized", defaultMessage: "Unauthorized.")
        /// 403 `forbidden`.
        public static let forbidden = Kind(status: .forbidden, id: "forbidden", defaultMessage: "Forbidden.")
        /// 404 `not_found`.
        public static let notFound = Kind(status: .notFound, id: "not_found", defaultMessage: "Not found.")
        /// 405 `method_not_allowed`.
        public static let methodNotAllowed = Kind(
            status: .methodNotAllowed,
            id: "method_not_allowed",
            defaultMessage: "Method not allowed."
        )
        /// 406 `not_acceptable`.
        public static let notAcceptable = Kind(status: .notAcceptable, id: "not_acceptable", defaultMessage: "Not acceptable.")
        /// 408 `request_timeout` (the request was not received in time).
        public static let requestTimeout = Kind(status: .requestTimeout, id: "request_timeout", defaultMessage: "Request timeout.")
        /// 409 `conflict`.
        public static let conflict = Kind(status: .conflict, id: "conflict", defaultMessage: "Conflict.")
        /// 412 `precondition_failed` (`If-Match` named no current representation).
        public static let preconditionFailed = Kind(
            status: .preconditionFailed,
            id: "precondition_failed",
            defaultMessage: "Precondition failed."
        )
        /// 413 `request_entity_too_large`.
        public static let requestEntityTooLarge = Kind(
            status: .contentTooLarge,
            id: "request_entity_too_large",
            defaultMessage: "Request entity too large."
        )
        /// 414 `request_uri_too_long`.
        public static let requestURITooLong = Kind(
            status: .uriTooLong,
            id: "request_uri_too_long",
            defaultMessage: "Request URI too long."
        )
        /// 415 `unsupported_media_type`.
        public static let unsupportedMediaType = Kind(
            status: .unsupportedMediaType,
            id: "unsupported_media_type",
            defaultMessage: "Unsupported media type."
        )
        /// 416 `requested_range_not_satisfiable`.
        public static let requestedRangeNotSatisfiable = Kind(
            status: .rangeNotSatisfiable,
            id: "requested_range_not_satisfiable",
            defaultMessage: "Requested range not satisfiable."
        )
        /// 422 `unprocessable_entity`.
        public static let unprocessableEntity = Kind(
            status: .unprocessableContent,
            id: "unprocessable_entity",
            defaultMessage: "Unprocessable entity."
        )
        /// 429 `too_many_requests`.
        public static let tooManyRequests = Kind(
            status: .tooManyRequests,
            id: "too_many_requests",
            defaultMessage: "Too many requests."
        )
        /// 431 `request_header_fields_too_large`.
        public static let requestHeaderFieldsTooLarge = Kind(
            status: .requestHeaderFieldsTooLarge,
            id: "request_header_fields_too_large",
            defaultMessage: "Request header fields too large."
        )
        /// 499 `client_closed_request` (nginx's code): the client left before the response; only logged.
        public static let clientClosedRequest = Kind(
            status: .init(code: 499, reasonPhrase: "Client Closed Request"),
            id: "client_closed_request",
            defaultMessage: "The client closed the connection before the response."
        )
        /// 500 `internal_server_error`.
        public static let internalServerError = Kind(
            status: .internalServerError,
            id: "internal_server_error",
            defaultMessage: "Internal server error."
        )
        /// 503 `request_timeout`: the request took longer than `TIMEOUT` (as rack-timeout answers).
        public static let requestTimedOut = Kind(
            status: .serviceUnavailable,
            id: "request_timeout",
            defaultMessage: "Request timed out."
        )
        /// 503 `service_unavailable`.
        public static let serviceUnavailable = Kind(
            status: .serviceUnavailable,
            id: "service_unavailable",
            defaultMessage: "Service unavailable."
        )
        /// 504 `gateway_timeout`.
        public static let gatewayTimeout = Kind(status: .gatewayTimeout, id: "gateway_timeout", defaultMessage: "Gateway timeout.")
    }
}
