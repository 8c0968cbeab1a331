import Foundation
import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import PlinthCore
import Testing

@testable import PlinthServer

/// The connection guard's state handling, on an `EmbeddedChannel` with a virtual clock.
@Suite struct ConnectionGuardHandlerTests {
    static func channel(
        headerTimeout: TimeAmount = .seconds(10), idleTimeout: TimeAmount? = nil
    ) throws -> (EmbeddedChannel, ConnectionGuardHandler) {
        let handler = ConnectionGuardHandler(limits: HTTPHeadLimits(), headerTimeout: headerTimeout, idleTimeout: idleTimeout)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, handler)
    }

    static let head = HTTPRequestPart.head(HTTPRequest(method: .get, scheme: nil, authority: "x", path: "/"))

    @Test func aConnectionWhoseHeadDoesNotArriveInTimeIsClosed() throws {
        let (channel, _) = try Self.channel(headerTimeout: .seconds(10))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func aHeadInTimeStopsTheClock() throws {
        let (channel, _) = try Self.channel(headerTimeout: .seconds(10))
        try channel.writeInbound(Self.head)
        #expect(try channel.readInbound(as: HTTPRequestPart.self) == Self.head)
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
        _ = try channel.finish()
    }

    /// A kept-alive connection is closed after `idleTimeout` with nothing read or answered; each
    /// request and response restarts the clock.
    @Test func anIdleConnectionIsClosedAfterTheIdleTimeout() throws {
        let (channel, _) = try Self.channel(headerTimeout: .seconds(10), idleTimeout: .seconds(60))
        try channel.writeInbound(Self.head)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        try channel.writeOutbound(HTTPResponsePart.end(nil))  // answered at t = 5 s
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        try channel.writeInbound(Self.head)  // t = 64 s: a second request
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    /// A response that takes longer than the idle timeout is not cut off; the clock restarts
    /// when it has been written.
    @Test func aSlowResponseIsNotCutOffByTheIdleTimeout() throws {
        let (channel, _) = try Self.channel(headerTimeout: .seconds(10), idleTimeout: .seconds(60))
        try channel.writeInbound(Self.head)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(200))
        #expect(channel.isActive)
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    /// A request whose body stops arriving is cut off like an idle connection.
    @Test func aStalledRequestBodyIsCutOffByTheIdleTimeout() throws {
        let (channel, _) = try Self.channel(headerTimeout: .seconds(10), idleTimeout: .seconds(60))
        try channel.writeInbound(Self.head)
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "{")))
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    /// A parse error between requests is answered with Pliny's JSON error and `Connection: close`.
    @Test(arguments: [(false, HTTPResponse.Status.requestHeaderFieldsTooLarge), (true, .uriTooLong)])
    func oversizeHeadsGetJSONThenClose(overlongRequestLine: Bool, status: HTTPResponse.Status) throws {
        let (channel, handler) = try Self.channel()
        handler.sawOverlongRequestLine = overlongRequestLine
        channel.pipeline.fireErrorCaught(HTTPParserError.headerOverflow)
        guard case .head(let response) = try channel.readOutbound(as: HTTPResponsePart.self) else {
            Issue.record("no response head")
            return
        }
        #expect(response.status == status)
        #expect(response.headerFields[.connection] == "close")
        #expect(response.headerFields[.contentType] == "application/json; charset=utf-8")
        guard case .body(let body) = try channel.readOutbound(as: HTTPResponsePart.self) else {
            Issue.record("no body")
            return
        }
        #expect(String(buffer: body).hasPrefix(#"{"id":"request_"#))
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == .end(nil))
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }

    /// While a response is under way, a parse error is not answered (it would interleave with it).
    @Test func aParseErrorDuringAResponseIsNotAnswered() throws {
        let (channel, _) = try Self.channel()
        try channel.writeInbound(Self.head)
        _ = try channel.readInbound(as: HTTPRequestPart.self)
        #expect(throws: HTTPParserError.self) {
            channel.pipeline.fireErrorCaught(HTTPParserError.invalidCharactersUsed)
            try channel.throwIfErrorCaught()
        }
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)
        _ = try? channel.finish()
    }

    /// A client that closes its side cancels the request it is waiting for, once.
    @Test func theClientClosingItsSideCancelsTheRequest() throws {
        let (channel, handler) = try Self.channel()
        let cancelled = NIOLockedValueBox(0)
        handler.control.servingRequest(channel) { cancelled.withLockedValue { $0 += 1 } }
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        channel.pipeline.fireChannelInactive()
        #expect(cancelled.withLockedValue { $0 } == 1)
        // Registered after the client left: cancelled at once.
        handler.control.servingRequest(channel) { cancelled.withLockedValue { $0 += 1 } }
        #expect(cancelled.withLockedValue { $0 } == 2)
    }

    /// An answered request is forgotten, so an idle connection keeps nothing of it; a later
    /// request's registration is not dropped by an earlier one finishing.
    final class Run: Sendable {}

    @Test func anAnsweredRequestIsForgotten() {
        let control = ConnectionControl()
        let first = Run()
        let second = Run()
        let cancelled = NIOLockedValueBox<[String]>([])
        weak var released: Run?
        do {
            let run = Run()
            released = run
            control.servingRequest(run) { [run] in _ = run }
            #expect(control.isServingRequest)
            control.finishedRequest(run)
        }
        #expect(!control.isServingRequest)
        #expect(released == nil)
        control.servingRequest(first) { cancelled.withLockedValue { $0.append("first") } }
        control.servingRequest(second) { cancelled.withLockedValue { $0.append("second") } }
        control.finishedRequest(first)  // late: the second is being served
        #expect(control.isServingRequest)
        control.stop()
        #expect(cancelled.withLockedValue { $0 } == ["second"])
    }

    @Test func theProbeTellsAnOverlongRequestLineFromLongHeaders() throws {
        for (bytes, overlong) in [
            ("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\n", true),
            ("GET / HTTP/1.1\r\nX-Long: " + String(repeating: "b", count: 9000) + "\r\n", false),
            ("GET /short HTTP/1.1\r\nHost: x\r\n\r\nPOST /" + String(repeating: "c", count: 8193) + " HTTP/1.1\r\n", true),
        ] {
            let handler = ConnectionGuardHandler(limits: HTTPHeadLimits(), headerTimeout: .seconds(10))
            let channel = EmbeddedChannel(handler: RequestLineProbe(guardHandler: handler, maxURIBytes: 8192))
            // Byte by byte too, as a slow client sends them.
            for chunk in [bytes.utf8.prefix(7), bytes.utf8.dropFirst(7)] { try channel.writeInbound(ByteBuffer(bytes: chunk)) }
            #expect(handler.sawOverlongRequestLine == overlong)
            _ = try channel.finish(acceptAlreadyClosed: true)
        }
    }
}
