import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Plinth
import Testing

/// The canonical log line is the same whether it takes the logfmt fast path or goes through
/// swift-log's metadata, as it does for any other handler.
@Suite struct CanonicalLogLineTests {
    /// Forwards to a ``LogfmtLogHandler``; being another type, it makes the middleware use `Logger.info`.
    struct ForwardingHandler: LogHandler {
        var inner: LogfmtLogHandler
        var logLevel: Logger.Level {
            get { inner.logLevel }
            set { inner.logLevel = newValue }
        }
        var metadata: Logger.Metadata {
            get { inner.metadata }
            set { inner.metadata = newValue }
        }
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { inner[metadataKey: key] }
            set { inner[metadataKey: key] = newValue }
        }
        func log(event: LogEvent) { inner.log(event: event) }
    }

    /// The lines written for a few requests, with the request id and the elapsed time masked.
    static func lines(forwarding: Bool) async throws -> [String] {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let output = BufferedOutput(fileDescriptor: fds[1])
        let logfmt = LogfmtLogHandler(label: "test", output: output)
        let logger = Logger(label: "test") { _ -> any LogHandler in forwarding ? ForwardingHandler(inner: logfmt) : logfmt }
        let router = Router(context: TestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: CanonicalLogLineMiddleware(logger: logger))
        router.add(middleware: RescueErrorsMiddleware())
        router.get("/things/{id}") { _, _ in "thing" }
        router.get("/broken") { _, _ -> String in throw APIError(.notFound, message: "No \"such\" thing.\nat=forged") }
        try await Application(router: router).test(.router) { client in
            _ = try await client.execute(uri: "/things/1?x=y", method: .get, headers: [.userAgent: "agent \"007\" =x"])
            _ = try await client.execute(uri: "/broken", method: .get)
        }
        output.flush()
        close(fds[1])
        let text = String(decoding: FileHandle(fileDescriptor: fds[0]).readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").map { line in
            String(
                line.replacing(/timing_total_elapsed=[0-9.]+/, with: "timing_total_elapsed=T").replacing(
                    /request_id=[0-9a-f-]{36}/, with: "request_id=ID"))
        }
    }

    @Test func fastPathWritesTheSameLineAsSwiftLog() async throws {
        let fast = try await Self.lines(forwarding: false)
        let general = try await Self.lines(forwarding: true)
        #expect(fast.count == 2)
        #expect(fast == general)
        #expect(
            fast.first
                == #"at=info msg=canonical_log_line request_id=ID request_method=GET request_path=/things/1 request_route_signature=/things/{id} request_user_agent="agent \"007\" =x" response_length=5 response_status=200 timing_total_elapsed=T"#
        )
        #expect(fast.last?.contains(#"error_id=not_found error_message="No \"such\" thing.\nat=forged""#) == true)
    }
}
