/// An error from below the endpoints that knows which client-visible ``APIError`` it means.
///
/// Lets stores report "database unavailable" without importing HTTP types: ``RescueErrorsMiddleware``
/// renders `apiError` and logs the original error's type.
public protocol APIErrorConvertible: Error {
    /// The error to show the client.
    var apiError: APIError { get }
}
