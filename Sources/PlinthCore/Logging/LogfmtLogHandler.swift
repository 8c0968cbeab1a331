import Logging

/// A swift-log handler writing one logfmt line per message: `at=info msg=... key=value ...`.
///
/// Metadata keys are sorted so lines are stable; values are escaped by ``Logfmt`` so that a
/// hostile path or user agent cannot forge fields or lines. Output is batched by ``BufferedOutput``.
/// ```swift
/// LoggingSystem.bootstrap { label in LogfmtLogHandler(label: label) }
/// ```
public struct LogfmtLogHandler: LogHandler {
    /// The logger's label, written as `logger=`.
    public let label: String
    /// Where lines go.
    public let output: BufferedOutput
    /// The lowest level written.
    public var logLevel: Logger.Level
    /// Metadata added to every line of this logger.
    public var metadata: Logger.Metadata = [:]

    /// Creates a handler writing to `output` (standard output by default).
    public init(label: String, level: Logger.Level = .info, output: BufferedOutput = .standardOutput) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    /// Reads or writes one metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Formats and buffers one line.
    public func log(event: LogEvent) {
        var line = ""
        line.reserveCapacity(512)
        Logfmt.append("at", event.level.rawValue, to: &line)
        Logfmt.append("msg", event.message.description, to: &line)
        // The canonical log line comes once per request: no merge when the handler has no metadata of
        // its own, and one sort of the pairs rather than of the keys and a lookup each.
        var merged = event.metadata ?? [:]
        if !metadata.isEmpty { merged.merge(metadata) { event, _ in event } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            Logfmt.append(key, value.description, to: &line)
        }
        output.write(line: line, urgent: event.level >= .error)
    }
}
