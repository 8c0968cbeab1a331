import Hummingbird
import PlinthCore

/// What Plinth's middleware needs from an app's request context.
///
/// An app's context conforms by storing the properties; the middleware fill them in.
public protocol PlinthRequestContext: RequestContext {
    /// The request ids: a fresh one first, then valid ones the client sent. Set by ``RequestIDMiddleware``.
    var requestIDs: [String] { get set }
    /// Per-request facts the canonical log line reports, shared by reference across middleware.
    var requestLog: RequestLog { get set }
    /// The client's IP address, when the transport knows it.
    var remoteIP: String? { get }
}

extension PlinthRequestContext {
    /// The id this server gave the request.
    public var requestID: String { requestIDs.first ?? "" }
}

/// Facts about one request that inner middleware learn and the canonical log line reports.
///
/// A class because middleware pass contexts down by value, while the log line, which runs
/// outside them, must see what the inner ones recorded. Only the task serving the request touches
/// it, one step after another, hence `@unchecked Sendable`.
public final class RequestLog: @unchecked Sendable {
    /// The Ruby-style error class, e.g. `Pliny::Errors::NotFound`.
    public var errorClass: String?
    /// Pliny's error id of the response.
    public var errorID: String?
    /// The error message sent to the client.
    public var errorMessage: String?
    /// How many items the serializer wrote (1 for a single resource).
    public var serializationArity: Int?
    /// Seconds spent serializing.
    public var serializationSeconds: Double?

    /// Creates an empty record.
    public init() {}
}
