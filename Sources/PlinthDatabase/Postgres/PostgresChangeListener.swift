import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import ServiceLifecycle

/// Keeps one connection listening on the change channels of some tables (each sent by the trigger
/// of ``Migration/notifyChanges(id:table:)``) and calls `onChange` for each notification.
///
/// With it, a write made through another instance, a seed or `psql` reaches this instance as soon
/// as the writing transaction commits. While the connection is down it retries every second, and
/// `onChange` runs after each reconnect (changes made meanwhile were not heard).
struct PostgresChangeListener: Service {
    let backend: PostgresBackend
    let channels: [String]
    let logger: Logger
    let onChange: @Sendable () async -> Void
    var retryDelay: Duration = .seconds(1)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            let listening = NIOLockedValueBox(true)  // true at first, so the first failure is reported
            while !Task.isCancelled {
                do {
                    let connection = try await backend.connect()
                    do {
                        try await listen(connection, on: channels[...], streams: []) {
                            await onChange()
                            if !listening.withLockedValue({ $0 }) { logger.notice("listening for database changes again") }
                            listening.withLockedValue { $0 = true }
                        }
                    } catch {
                        try? await connection.close()
                        throw error
                    }
                    try? await connection.close()
                } catch  where !Task.isCancelled {
                    if listening.withLockedValue({ $0 }) {
                        logger.warning(
                            "not hearing PostgreSQL change notifications; cached pages may be stale for up to CACHE_MAX_AGE until they are back",
                            metadata: ["error": "\(String(reflecting: error))"]
                        )
                    }
                    listening.withLockedValue { $0 = false }
                } catch {}
                try? await Task.sleep(for: retryDelay)
            }
        }
    }

    /// LISTENs on every channel, then calls `listening` and `onChange` per notification until one
    /// stream ends (the connection is gone).
    private func listen(
        _ connection: PostgresConnection,
        on channels: ArraySlice<String>,
        streams: [PostgresNotificationSequence],
        listening: @escaping @Sendable () async -> Void
    ) async throws {
        if let channel = channels.first {
            try await connection.listen(on: channel) { stream in
                try await listen(connection, on: channels.dropFirst(), streams: streams + [stream], listening: listening)
            }
            return
        }
        await listening()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for stream in streams {
                group.addTask { for try await _ in stream { await onChange() } }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
