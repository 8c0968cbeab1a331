import PlinthCore

/// What the admission of ``PlinthHTTP1Channel`` tells the rest of the stack.
public enum Admission {
    /// The 503 for a request the admission refused; ``RescueErrorsMiddleware`` answers with it
    /// instead of running the inner chain.
    @TaskLocal public static var refusal: APIError?
}
