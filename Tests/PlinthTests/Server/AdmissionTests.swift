import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import Plinth
import PlinthCore
import PlinthServer
import Testing

/// The admission of ``PlinthHTTP1Channel`` over real sockets: one request at a time on `/held`.
@Suite struct AdmissionTests {
    @Test func refusalsAreJSONWithCORSRequestIDAndRetryAfter() async throws {
        let admission = ConcurrencyLimiter(limit: 1, queueLimit: 0, maxWait: .seconds(5))
        try await withHeldServer(admission: admission) { client, held in
            async let first = client.execute(uri: "/held", method: .get)
            try await held.waitUntilStarted()
            #expect(admission.current == 1)
            // A second connection: the test client sends everything on one.
            let start = ContinuousClock.now
            let refused = try await RawHTTP.exchange(
                port: client.port!, "GET /held HTTP/1.1\r\nHost: x\r\nOrigin: https://a.example\r\nConnection: close\r\n\r\n")
            #expect(ContinuousClock.now - start < .seconds(3))
            #expect(refused.status == 503)
            #expect(refused.body.contains(#""id":"service_unavailable""#))
            let head = refused.head.lowercased()
            #expect(head.contains("retry-after: "))
            #expect(head.contains("access-control-allow-origin: *"))
            #expect(head.contains("request-id: "))
            held.release()
            #expect(try await first.status == .ok)
            #expect(admission.current == 0)
            #expect(held.runs == 1)
        }
    }

    @Test func aClientThatLeavesWhileWaitingLeavesTheQueue() async throws {
        let admission = ConcurrencyLimiter(limit: 1, queueLimit: 10, maxWait: .seconds(20))
        try await withHeldServer(admission: admission) { client, held in
            async let first = client.execute(uri: "/held", method: .get)
            try await held.waitUntilStarted()
            let waiting = try await RawHTTP.connect(port: client.port!)
            try await waiting.executeThenClose { _, outbound in
                try await outbound.write(ByteBuffer(string: "GET /held HTTP/1.1\r\nHost: x\r\n\r\n"))
                for _ in 0..<500 where admission.queued == 0 { try await Task.sleep(for: .milliseconds(10)) }
                #expect(admission.queued == 1)
            }
            for _ in 0..<500 where admission.queued == 1 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(admission.queued == 0)
            held.release()
            #expect(try await first.status == .ok)
            #expect(held.runs == 1)  // the request whose client left never ran
        }
    }

    @Test func aClientThatHalfClosesWhileWaitingIsClosedUnanswered() async throws {
        let admission = ConcurrencyLimiter(limit: 1, queueLimit: 10, maxWait: .seconds(20))
        try await withHeldServer(admission: admission) { client, held in
            async let first = client.execute(uri: "/held", method: .get)
            try await held.waitUntilStarted()
            let waiting = try await RawHTTP.connect(port: client.port!, halfClosable: true)
            let reply = try await waiting.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "GET /held HTTP/1.1\r\nHost: x\r\n\r\n"))
                for _ in 0..<500 where admission.queued == 0 { try await Task.sleep(for: .milliseconds(10)) }
                outbound.finish()  // FIN: the client is done sending
                return try await withThrowingTaskGroup(of: String?.self) { group in
                    group.addTask {
                        var reply = ""
                        for try await chunk in inbound { reply += String(buffer: chunk) }  // ends when the server closes
                        return reply
                    }
                    group.addTask {
                        try await Task.sleep(for: .seconds(5))
                        return nil
                    }
                    defer { group.cancelAll() }
                    return try await group.next()!
                }
            }
            #expect(reply == "")  // nil: the server kept the connection open
            #expect(admission.queued == 0)
            held.release()
            #expect(try await first.status == .ok)
            #expect(held.runs == 1)
        }
    }

    /// A response still waiting for its client to read it keeps its request's slot: the slot is
    /// returned once the response is written, not when the handler returns, so unread responses
    /// in memory stay bounded by the limit.
    @Test func anUnreadResponseKeepsItsSlotUntilItIsWritten() async throws {
        let admission = ConcurrencyLimiter(limit: 1, queueLimit: 10, maxWait: .seconds(20))
        try await withHeldServer(admission: admission) { client, held in
            let reader = try await RawHTTP.connect(port: client.port!)
            try await reader.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "GET /big HTTP/1.1\r\nHost: x\r\n\r\n"))
                for _ in 0..<500 where held.bigRuns == 0 { try await Task.sleep(for: .milliseconds(10)) }
                try await Task.sleep(for: .milliseconds(300))
                #expect(held.bigRuns == 1)
                #expect(admission.current == 1)  // 32 MB do not fit in the sockets' buffers
                var received = 0
                for try await chunk in inbound {
                    received += chunk.readableBytes
                    if received >= HeldRoute.bigSize { break }
                }
                for _ in 0..<500 where admission.current == 1 { try await Task.sleep(for: .milliseconds(10)) }
                #expect(admission.current == 0)
            }
        }
    }

    /// Serves `/held`, which waits for ``HeldRoute/release()``, behind CORS, request ids and `admission`.
    private func withHeldServer(
        admission: ConcurrencyLimiter,
        _ test: @escaping @Sendable (any TestClientProtocol, HeldRoute) async throws -> Void
    ) async throws {
        let held = HeldRoute()
        let router = Router(context: TestContext.self)
        router.add(middleware: CORSPolicyMiddleware(origins: ["*"]))
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: RescueErrorsMiddleware())
        router.get("/held") { _, _ -> String in
            await held.run()
            return "done"
        }
        router.get("/big") { _, _ -> ByteBuffer in
            held.servedBig()
            return ByteBuffer(repeating: UInt8(ascii: "a"), count: HeldRoute.bigSize)
        }
        let responder = router.buildResponder()
        let app = Application(
            responder: responder,
            server: .plinthHTTP1(responder: responder, headerTimeout: .seconds(10), idleTimeout: nil, admission: admission),
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
        try await app.test(.live) { client in try await test(client, held) }
    }
}

/// A route that counts its runs and holds each until released.
final class HeldRoute: Sendable {
    private let gate = AsyncStream.makeStream(of: Void.self)
    private let started = AsyncStream.makeStream(of: Void.self)
    private let count = NIOLockedValueBox(0)

    /// The size of `/big`'s body.
    static let bigSize = 32 << 20

    private let bigCount = NIOLockedValueBox(0)

    /// How many times the route ran.
    var runs: Int { count.withLockedValue { $0 } }

    /// How many times `/big` ran.
    var bigRuns: Int { bigCount.withLockedValue { $0 } }

    func servedBig() { bigCount.withLockedValue { $0 += 1 } }

    func run() async {
        count.withLockedValue { $0 += 1 }
        started.continuation.yield()
        for await _ in gate.stream { break }
    }

    func waitUntilStarted() async throws {
        for await _ in started.stream { break }
    }

    func release() { gate.continuation.yield() }
}
