import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Plinth
import PlinthCore
import PlinthServer
import Testing

/// The connection guard over real sockets: head limits, malformed requests, clients that leave.
@Suite struct PlinthHTTP1ChannelTests {
    @Test func overlongURIGets414JSONAndTheConnectionCloses() async throws {
        try await withServer { port, _ in
            let reply = try await RawHTTP.exchange(port: port, "GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(reply.status == 414)
            #expect(reply.body.contains(#""id":"request_uri_too_long""#))
            #expect(reply.head.lowercased().contains("connection: close"))
            #expect(reply.head.lowercased().contains("content-type: application/json"))
        }
    }

    @Test func oversizeHeadersGet431JSON() async throws {
        try await withServer { port, _ in
            let bigField = try await RawHTTP.exchange(
                port: port, "GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "b", count: 9000))\r\n\r\n")
            #expect(bigField.status == 431)
            #expect(bigField.body.contains(#""id":"request_header_fields_too_large""#))
            let manyFields = (0..<10).map { "X-Field-\($0): \(String(repeating: "c", count: 4000))\r\n" }.joined()
            let tooMuch = try await RawHTTP.exchange(port: port, "GET /ok HTTP/1.1\r\nHost: x\r\n\(manyFields)\r\n")
            #expect(tooMuch.status == 431)
            let tooMany = (0..<150).map { "X-F\($0): 1\r\n" }.joined()
            #expect(try await RawHTTP.exchange(port: port, "GET /ok HTTP/1.1\r\nHost: x\r\n\(tooMany)\r\n").status == 431)
        }
    }

    @Test func headsWithinTheLimitsAreServed() async throws {
        try await withServer { port, _ in
            let uri = "/ok?q=\(String(repeating: "a", count: 8000))"
            let reply = try await RawHTTP.exchange(
                port: port, "GET \(uri) HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "b", count: 8000))\r\nConnection: close\r\n\r\n")
            #expect(reply.status == 200)
            #expect(reply.body == "ok")
        }
    }

    @Test func anOversizeHeadAfterAServedRequestStillGets431() async throws {
        try await withServer { port, _ in
            let channel = try await RawHTTP.connect(port: port)
            let received = try await channel.executeThenClose { inbound, outbound in
                var received = ""
                var iterator = inbound.makeAsyncIterator()
                try await outbound.write(ByteBuffer(string: "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n"))
                while !received.hasSuffix("ok"), let chunk = try await iterator.next() { received += String(buffer: chunk) }
                try await outbound.write(ByteBuffer(string: "GET /ok HTTP/1.1\r\nX-Big: \(String(repeating: "b", count: 9000))\r\n\r\n"))
                while let chunk = try await iterator.next() { received += String(buffer: chunk) }
                return received
            }
            #expect(received.hasPrefix("HTTP/1.1 200"))
            #expect(received.contains("HTTP/1.1 431"))
        }
    }

    @Test func malformedRequestsGet400JSON() async throws {
        try await withServer { port, _ in
            let reply = try await RawHTTP.exchange(port: port, "HELLO WORLD\r\n\r\n")
            #expect(reply.status == 400)
            #expect(reply.body.contains(#""id":"bad_request""#))
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderWithADate() async throws {
        try await withServer { port, _ in
            let reply = try await RawHTTP.exchange(
                port: port, "GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let first = try #require(reply.raw.range(of: "\r\n\r\nfirst"))
            let second = try #require(reply.raw.range(of: "\r\n\r\nok"))
            #expect(first.lowerBound < second.lowerBound)
            #expect(reply.head.lowercased().contains("date: "))
            #expect(reply.raw.lowercased().contains("connection: close"))
        }
    }

    @Test func aBodyThatArrivesInPiecesStreamsToTheHandler() async throws {
        try await withServer { port, _ in
            let channel = try await RawHTTP.connect(port: port)
            let size = 3_000_000
            let received = try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(
                    ByteBuffer(string: "POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\nConnection: close\r\n\r\n"))
                let piece = ByteBuffer(repeating: UInt8(ascii: "a"), count: size / 10)
                for _ in 0..<10 {
                    try await outbound.write(piece)
                    try await Task.sleep(for: .milliseconds(20))
                }
                var received = ""
                for try await chunk in inbound { received += String(buffer: chunk) }
                return received
            }
            #expect(received.hasPrefix("HTTP/1.1 200"))
            #expect(received.hasSuffix("\r\n\r\n\(size)"))
        }
    }

    @Test func aBodyTheHandlerDoesNotReadIsDrainedAndTheConnectionServesOn() async throws {
        try await withServer { port, _ in
            let channel = try await RawHTTP.connect(port: port)
            let received = try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n"))
                var iterator = inbound.makeAsyncIterator()
                var received = ""
                // The handler answers before the body arrives, and its body stream is dropped.
                while !received.hasSuffix("ignored"), let chunk = try await iterator.next() { received += String(buffer: chunk) }
                try await Task.sleep(for: .milliseconds(50))
                for _ in 0..<2 { try await outbound.write(ByteBuffer(repeating: UInt8(ascii: "a"), count: 100_000)) }
                try await outbound.write(ByteBuffer(string: "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                while let chunk = try await iterator.next() { received += String(buffer: chunk) }
                return received
            }
            #expect(received.hasPrefix("HTTP/1.1 200"))
            #expect(received.hasSuffix("\r\n\r\nok"))
        }
    }

    @Test func aClientThatLeavesHasItsWorkCancelled() async throws {
        try await withServer { port, slow in
            let channel = try await RawHTTP.connect(port: port)
            try await channel.executeThenClose { _, outbound in
                try await outbound.write(ByteBuffer(string: "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"))
                try await slow.waitFor { $0.started }
            }
            try await slow.waitFor { $0.cancelled }
            try await slow.waitFor { $0.loggedStatus != nil }
            #expect(slow.state.withLockedValue { $0.finished } == false)
            #expect(slow.state.withLockedValue { $0.loggedStatus } == 499)
        }
    }

    /// Runs a live server on a free port with `/ok` and `/slow` (sleeps 30 s unless cancelled).
    private func withServer(_ test: @escaping @Sendable (Int, SlowHandlerProbe) async throws -> Void) async throws {
        let probe = SlowHandlerProbe()
        let router = Router(context: TestContext.self)
        router.add(middleware: StatusRecorder(probe: probe))
        router.add(middleware: RescueErrorsMiddleware())
        router.get("ok") { _, _ in "ok" }
        router.get("first") { _, _ -> String in
            try await Task.sleep(for: .milliseconds(100))
            return "first"
        }
        router.post("ignore") { _, _ in "ignored" }
        router.post("count") { request, _ in String(try await request.body.collect(upTo: 8 << 20).readableBytes) }
        router.get("slow") { _, _ -> String in
            probe.state.withLockedValue { $0.started = true }
            do {
                try await Task.sleep(for: .seconds(30))
                probe.state.withLockedValue { $0.finished = true }
            } catch {
                probe.state.withLockedValue { $0.cancelled = true }
                throw error
            }
            return "slow"
        }
        let responder = router.buildResponder()
        let app = Application(
            responder: responder,
            server: .plinthHTTP1(responder: responder, headerTimeout: .seconds(10), idleTimeout: nil),
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
        try await app.test(.live) { client in try await test(client.port!, probe) }
    }
}

/// What the `/slow` handler went through.
final class SlowHandlerProbe: Sendable {
    struct State {
        var started = false, cancelled = false, finished = false
        var loggedStatus: Int?
    }
    let state = NIOLockedValueBox(State())

    /// Polls every 10 ms, for up to 5 s, until `condition` holds.
    func waitFor(_ condition: (State) -> Bool) async throws {
        for _ in 0..<500 {
            if state.withLockedValue({ condition($0) }) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("condition not reached within 5 s: \(state.withLockedValue { $0 })")
    }
}

/// Records the status the middleware chain settled on, as the log line would show it.
struct StatusRecorder: RouterMiddleware {
    let probe: SlowHandlerProbe

    func handle(_ request: Request, context: TestContext, next: (Request, TestContext) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        probe.state.withLockedValue { $0.loggedStatus = response.status.code }
        return response
    }
}

/// A byte-level HTTP client, for requests no well-behaved client would send.
enum RawHTTP {
    struct Reply {
        var raw: String
        var head: String { raw.components(separatedBy: "\r\n\r\n").first ?? "" }
        var body: String { raw.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n") }
        var status: Int? { head.split(separator: " ").dropFirst().first.flatMap { Int($0) } }
    }

    /// Connects; with `halfClosable`, finishing the outbound side sends a FIN.
    static func connect(port: Int, halfClosable: Bool = false) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                    wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: halfClosable))
            }
        }
    }

    /// Sends `request` and reads until the server closes the connection (or 5 s pass).
    static func exchange(port: Int, _ request: String) async throws -> Reply {
        let channel = try await connect(port: port)
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            return try await withThrowingTaskGroup(of: String?.self) { group in
                group.addTask {
                    var received = ""
                    do {
                        for try await chunk in inbound { received += String(buffer: chunk) }
                    } catch {}  // a reset after the reply still leaves the reply
                    return received
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(5))
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                if let first { return Reply(raw: first) }
                Issue.record("the server did not close the connection within 5 s")
                return Reply(raw: "")
            }
        }
    }
}
