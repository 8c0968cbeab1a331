import Hummingbird
import Logging
import NIOConcurrencyHelpers
import Plinth

/// A request context with everything Plinth's middleware need, for testing them on their own router.
struct TestContext: PlinthRequestContext, VersionedRequestContext {
    var coreContext: CoreRequestContextStorage
    var requestIDs: [String] = []
    var requestLog = RequestLog()
    var apiVersion = 0
    var remoteIP: String? { nil }

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// A log handler that keeps lines in memory.
struct CapturingLogHandler: LogHandler {
    final class Lines: Sendable {
        let lines = NIOLockedValueBox<[(message: String, metadata: Logger.Metadata)]>([])
        var all: [(message: String, metadata: Logger.Metadata)] { lines.withLockedValue { $0 } }
    }

    let store: Lines
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.lines.withLockedValue { $0.append((event.message.description, event.metadata ?? [:])) }
    }

    static func logger() -> (Logger, Lines) {
        let lines = Lines()
        return (Logger(label: "test") { _ in CapturingLogHandler(store: lines) }, lines)
    }
}
