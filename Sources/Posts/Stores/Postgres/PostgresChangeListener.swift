import Logging
import PostgresNIO
import ServiceLifecycle

/// Keeps one connection listening for `NOTIFY posts_changed` (sent by a trigger on every write to
/// `posts`, see ``Migration/notifyPostChanges``) and calls `onChange` for each notification.
///
/// With it, a write made through another instance, `posts seed` or `psql` drops this instance's
/// cached pages as soon as the writing transaction commits. While the connection is down it
/// retries every second and `onChange` runs after each reconnect (changes made meanwhile were not
/// heard); until then the cache's maximum age (`CACHE_MAX_AGE`) bounds how stale a page can be.
struct PostgresChangeListener: Service {
    let store: PostgresPostStore
    let logger: Logger
    let onChange: @Sendable () -> Void
    var retryDelay: Duration = .seconds(1)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var listening = true  // so the first failure is reported
            while !Task.isCancelled {
                do {
                    let connection = try await store.connect()
                    do {
                        try await connection.listen(on: Migration.postsChangedChannel) { notifications in
                            onChange()
                            if !listening { logger.notice("listening for post changes again") }
                            listening = true
                            for try await _ in notifications { onChange() }
                        }
                    } catch {
                        try? await connection.close()
                        throw error
                    }
                    try? await connection.close()
                } catch  where !Task.isCancelled {
                    if listening {
                        logger.warning(
                            "not hearing PostgreSQL change notifications; cached pages may be stale for up to CACHE_MAX_AGE until they are back",
                            metadata: ["error": "\(String(reflecting: error))"]
                        )
                    }
                    listening = false
                } catch {}
                try? await Task.sleep(for: retryDelay)
            }
        }
    }
}
