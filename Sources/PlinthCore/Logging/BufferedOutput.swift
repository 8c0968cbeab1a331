import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Collects log lines in memory and writes them to a file descriptor in batches.
///
/// One `write(2)` per batch instead of one per request: the buffer is flushed when it passes
/// `flushBytes`, every `flushInterval` by a background thread, on `flush()`, and at once for
/// lines at error level and above.
public final class BufferedOutput: Sendable {
    /// Standard output, shared by every log handler of the process.
    public static let standardOutput = BufferedOutput(fileDescriptor: 1)

    private let fileDescriptor: Int32
    private let flushBytes: Int
    private let pending = NIOLockedValueBox<[UInt8]>([])
    private let writing = NIOLock()

    /// Creates an output for `fileDescriptor`, flushed every `flushIntervalMilliseconds` at least.
    public init(fileDescriptor: Int32, flushBytes: Int = 64 * 1024, flushIntervalMilliseconds: Int = 100) {
        self.fileDescriptor = fileDescriptor
        self.flushBytes = flushBytes
        let thread = FlushThread(output: self, intervalMilliseconds: flushIntervalMilliseconds)
        thread.start()
    }

    /// Appends one line (a newline is added).
    public func write(line: String, urgent: Bool = false) {
        let size = pending.withLockedValue { buffer in
            buffer.append(contentsOf: line.utf8)
            buffer.append(UInt8(ascii: "\n"))
            return buffer.count
        }
        if urgent || size >= flushBytes { flush() }
    }

    /// Writes everything buffered so far.
    public func flush() {
        writing.withLock {
            let bytes = pending.withLockedValue { buffer in
                let taken = buffer
                buffer.removeAll(keepingCapacity: true)
                return taken
            }
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { systemWrite(fileDescriptor, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return
                }
                offset += written
            }
        }
    }
}

/// The background flusher: a plain thread, so a busy or blocked event loop never delays logs.
private final class FlushThread: @unchecked Sendable {
    private weak var output: BufferedOutput?
    private let intervalMilliseconds: Int

    init(output: BufferedOutput, intervalMilliseconds: Int) {
        self.output = output
        self.intervalMilliseconds = intervalMilliseconds
    }

    func start() {
        var thread = pthread_t()
        let unmanaged = Unmanaged.passRetained(self)
        pthread_create(
            &thread,
            nil,
            { argument in
                let flusher = Unmanaged<FlushThread>.fromOpaque(argument!).takeRetainedValue()
                flusher.run()
                return nil
            },
            unmanaged.toOpaque()
        )
        pthread_detach(thread)
    }

    private func run() {
        while let output {
            usleep(UInt32(intervalMilliseconds * 1000))
            output.flush()
        }
    }
}
