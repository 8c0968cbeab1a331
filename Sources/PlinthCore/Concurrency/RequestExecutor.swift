/// The executor a request's work prefers, carried to the tasks it starts.
///
/// Swift's unstructured tasks do not inherit a task executor preference; task-local values are
/// inherited. The server sets ``preferred`` to the connection's event loop, and the toolkit's
/// tasks that run part of a request (the timeout's, the bounded pool call's) start with it, so a
/// request stays on one thread instead of hopping to Swift's pool and back.
public enum RequestExecutor {
    /// The current request's executor; `nil` outside a request or when the server has none.
    @TaskLocal public static var preferred: (any TaskExecutor)?
}
