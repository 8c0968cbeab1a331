import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Plinth
import PlinthCore
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

    /// An id a client sent, kept in `request_ids` after the fresh one.
    static let received = "0c3f5a5e-8a0b-4e53-9d7e-2b6f1d9c4a11"

    /// The lines written for a few requests, unmasked.
    static func rawLines(forwarding: Bool) async throws -> [String] {
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
        router.get("/crash") { _, _ -> String in throw Unexpected() }
        try await Application(router: router, logger: logger).test(.router) { client in
            _ = try await client.execute(uri: "/things/1?x=y", method: .get, headers: [.userAgent: "agent \"007\" =x"])
            _ = try await client.execute(uri: "/broken", method: .get, headers: [.xRequestID: "\(received), not-a-uuid"])
            _ = try await client.execute(uri: "/crash", method: .get)
        }
        output.flush()
        close(fds[1])
        let text = String(decoding: FileHandle(fileDescriptor: fds[0]).readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").map(String.init).filter { !$0.contains("msg=\"Server started") }
    }

    /// The lines written for a few requests, with the request ids and the elapsed time masked.
    static func lines(forwarding: Bool) async throws -> [String] {
        try await rawLines(forwarding: forwarding).map { line in
            String(
                line.replacing(/timing_total_elapsed=[0-9.]+/, with: "timing_total_elapsed=T").replacing(
                    /request_id=[0-9a-f-]{36}/, with: "request_id=ID"
                ).replacing(/request_ids=[0-9a-f-]{36},/, with: "request_ids=ID,"))
        }
    }

    struct Unexpected: Error {}

    @Test func fastPathWritesTheSameLineAsSwiftLog() async throws {
        let fast = try await Self.lines(forwarding: false)
        let general = try await Self.lines(forwarding: true)
        #expect(fast.count == 4)
        #expect(fast == general)
        #expect(
            fast.first
                == #"at=info msg=canonical_log_line request_id=ID request_method=GET request_path=/things/1 request_route_signature=/things/{id} request_user_agent="agent \"007\" =x" response_length=5 response_status=200 timing_total_elapsed=T"#
        )
        #expect(fast[1].contains(#"error_id=not_found error_message="No \"such\" thing.\nat=forged""#))
        #expect(fast[1].contains("request_id=ID request_ids=ID,\(Self.received) "))
    }

    /// RescueErrors' line for an unexpected error and the request's canonical line carry one `request_id`.
    @Test func errorLinesCarryTheCanonicalLinesRequestID() async throws {
        let lines = try await Self.rawLines(forwarding: false).suffix(2)
        let ids = lines.map { line in line.firstMatch(of: /request_id=([0-9a-f-]{36})/).map { String($0.1) } }
        #expect(lines.first?.contains("at=error msg=\"unexpected error\"") == true)
        #expect(lines.last?.contains("msg=canonical_log_line") == true)
        #expect(ids.count == 2 && ids[0] != nil && ids[0] == ids[1])
        #expect(lines.allSatisfy { !$0.contains("hb.request.id") })
    }
}
