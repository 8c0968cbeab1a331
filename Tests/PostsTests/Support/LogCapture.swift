import Logging
import NIOConcurrencyHelpers

/// Keeps each log event's message and metadata, for tests that check what was logged.
struct LogCapture: LogHandler {
    /// One event.
    struct Line: Sendable {
        let message: String
        let metadata: Logger.Metadata
    }

    let lines: NIOLockedValueBox<[Line]>
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.withLockedValue { $0.append(Line(message: event.message.description, metadata: event.metadata ?? [:])) }
    }
}
