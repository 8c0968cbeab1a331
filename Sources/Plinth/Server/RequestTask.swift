import HummingbirdCore
import NIOCore

/// Runs each request ``PlinthHTTP1Channel`` serves in a task of its own.
///
/// Two reasons. The task is cancelled when the client goes away (see ``ConnectionControl``), so no
/// work is done for a client that already hung up. And a Swift task keeps the memory its deepest
/// call chain needed until it ends: run in the connection's task, the responder's frames stayed
/// with every kept-alive connection.
enum RequestTask {
    /// Runs `responder` for one request in a new task, cancelled if the caller is or the client leaves.
    static func run(
        _ responder: @escaping HTTPChannelHandler.Responder,
        _ request: Request,
        _ writer: ResponseWriterBox,
        _ channel: any Channel,
        connection: ConnectionControl,
        refusal: APIError? = nil
    ) async throws {
        let task = Task {
            guard let refusal else { return try await responder(request, writer.take(), channel) }
            try await Admission.$refusal.withValue(refusal) { try await responder(request, writer.take(), channel) }
        }
        connection.servingRequest { task.cancel() }
        defer { connection.requestFinished() }
        try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }
}

/// What the admission of ``PlinthHTTP1Channel`` tells the rest of the stack.
public enum Admission {
    /// The 503 for a request the admission refused; ``RescueErrorsMiddleware`` answers with it
    /// instead of running the inner chain.
    @TaskLocal public static var refusal: APIError?
}
