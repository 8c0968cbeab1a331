import PlinthCore

/// Failures of a store that are not the caller's fault.
public struct StoreError: Error, CustomStringConvertible, APIErrorConvertible {
    /// What kind of failure.
    public enum Kind: Sendable, Equatable {
        /// The database cannot be reached or is overloaded: 503, worth retrying.
        case unavailable
        /// A statement ran past the database timeout: 503.
        case timeout
        /// Stored data is not what the app wrote: 500.
        case corrupt
        /// A write broke a constraint, e.g. its parent row was deleted meanwhile: 409.
        case constraint
    }

    /// What kind of failure.
    public var kind: Kind
    /// What went wrong, for the log (never shown to clients).
    public var description: String

    /// Creates an error.
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// 503 `service_unavailable` with `Retry-After`, 409 `conflict`, or 500 for corrupt data.
    public var apiError: APIError {
        switch kind {
        case .unavailable: .serviceUnavailable(message: "The database is unavailable; retry shortly.")
        case .timeout: .serviceUnavailable(message: "The database did not answer in time; retry shortly.")
        case .constraint: APIError(.conflict, message: "The write conflicts with a concurrent change; read the resource again.")
        case .corrupt: APIError(.internalServerError)
        }
    }
}
