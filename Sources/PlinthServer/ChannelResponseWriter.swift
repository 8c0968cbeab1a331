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
///
/// `finish` hands the last parts to the event loop and returns without waiting for the socket:
/// the request's task ends there, instead of being resumed once more only to end. What waiting
/// bought, the bound on responses in memory, `ticket` keeps: the request's admission slot is
/// returned when the end is written.
struct ChannelResponseWriter: ResponseBodyWriter {
    private let channel: any Channel
    private let closeAfter: Bool
    private let ticket: AdmissionTicket?
    private let logger: Logger
    private var pending: [HTTPResponsePart]
    /// The first body buffer waits in `pending`, to go out with the end.
    private var holding = false

    init(channel: any Channel, head: HTTPResponse, closeAfter: Bool, ticket: AdmissionTicket?, logger: Logger) {
        self.channel = channel
        self.closeAfter = closeAfter
        self.ticket = ticket
        self.logger = logger
        self.pending = [.head(head)]
        pending.reserveCapacity(3)  // head, body and end: one allocation per response
    }

    mutating func write(_ buffer: ByteBuffer) async throws {
        pending.append(.body(buffer))
        if pending.count == 2, !holding {
            holding = true
        } else {
            let parts = pending
            pending = []
            try await channel.eventLoop.flatSubmit { [channel] in
                for part in parts.dropLast() { channel.write(part, promise: nil) }
                return channel.writeAndFlush(parts[parts.count - 1])
            }.get()
        }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        pending.append(.end(trailingHeaders))
        ticket?.handOver()
        channel.eventLoop.execute { [channel, pending, closeAfter, ticket, logger] in
            for part in pending.dropLast() { channel.write(part, promise: nil) }
            channel.writeAndFlush(pending[pending.count - 1]).whenComplete { result in
                if case .failure(let error) = result {
                    logger.trace("Failed to write the response", metadata: ["error": "\(error)"])
                    channel.close(promise: nil)
                } else if closeAfter {
                    channel.close(promise: nil)
                }
                ticket?.returnSlot()
            }
        }
    }
}

/// An admitted request's slot in the ``ConcurrencyLimiter``, returned once: when its response's
/// end is written, or when its task ends without handing one over.
final class AdmissionTicket: Sendable {
    private enum State { case held, handedOver, returned }

    private let admission: ConcurrencyLimiter
    private let state = NIOLockedValueBox(State.held)

    init(_ admission: ConcurrencyLimiter) { self.admission = admission }

    /// The response's end is on its way to the event loop, which returns the slot.
    func handOver() {
        state.withLockedValue { if $0 == .held { $0 = .handedOver } }
    }

    /// Returns the slot if no response end was handed over (the task is ending).
    func returnUnlessHandedOver() { giveBack(ifHandedOver: false) }

    /// Returns the slot (the handed-over end is written, or failed to be).
    func returnSlot() { giveBack(ifHandedOver: true) }

    private func giveBack(ifHandedOver: Bool) {
        let returning = state.withLockedValue { state -> Bool in
            guard state == .held || (ifHandedOver && state == .handedOver) else { return false }
            state = .returned
            return true
        }
        if returning { admission.finished() }
    }
}
