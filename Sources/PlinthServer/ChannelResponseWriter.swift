import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import Plinth
import PlinthCore

/// Writes a response to its channel: the head and first body buffer go out with the end in one
/// event-loop hop when the body is a single buffer (the common case); longer bodies stream.
struct ChannelResponseWriter: ResponseBodyWriter {
    private let channel: any Channel
    private let closeAfter: Bool
    private var pending: [HTTPResponsePart]
    /// The first body buffer waits in `pending`, to go out with the end.
    private var holding = false

    init(channel: any Channel, head: HTTPResponse, closeAfter: Bool) {
        self.channel = channel
        self.closeAfter = closeAfter
        self.pending = [.head(head)]
        pending.reserveCapacity(3)  // head, body and end: one allocation per response
    }

    mutating func write(_ buffer: ByteBuffer) async throws {
        pending.append(.body(buffer))
        if pending.count == 2, !holding {
            holding = true
        } else {
            try await send()
        }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        pending.append(.end(trailingHeaders))
        try await send(closing: closeAfter)
    }

    private mutating func send(closing: Bool = false) async throws {
        let parts = pending
        pending = []
        try await channel.eventLoop.flatSubmit { [channel] in
            for part in parts.dropLast() { channel.write(part, promise: nil) }
            let written = channel.writeAndFlush(parts[parts.count - 1])
            if closing { written.whenComplete { _ in channel.close(promise: nil) } }
            return written
        }.get()
    }
}
