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

/// One request, from dispatch to its written response: waits its turn (without a task), then runs
/// in a task of its own, cancelled if its client leaves.
final class RequestRun<Responder: HTTPResponder>: Sendable
where Responder.Context: RequestContext, Responder.Context.Source == ApplicationRequestContextSource {
    /// The request stays here only until its task starts: the connection's control keeps this run
    /// until the next request, and an idle connection should not keep the last request's head.
    private enum Phase {
        case dispatched(Request)
        case queued(Request, leave: @Sendable () -> Void)
        case starting
        case running(Task<Void, Never>)
        case cancelled
        case finished
    }

    private let server: RequestServer<Responder>
    private let channel: any Channel
    private let control: ConnectionControl
    private let closeAfter: Bool
    private let phase: NIOLockedValueBox<Phase>

    init(server: RequestServer<Responder>, request: Request, channel: any Channel, control: ConnectionControl, closeAfter: Bool) {
        self.server = server
        self.channel = channel
        self.control = control
        self.closeAfter = closeAfter
        self.phase = NIOLockedValueBox(.dispatched(request))
    }

    /// Registers with the connection's control, then starts the request or queues it for admission.
    func begin() {
        control.servingRequest(self) { [self] in cancel() }
        guard let admission = server.admission else { return start(refusal: nil) }
        if case .cancelled = phase.withLockedValue({ $0 }) { return channel.close(promise: nil) }  // the client left already
        let leave = admission.admit { [self] refusal in start(refusal: refusal) }
        let leaveNow = phase.withLockedValue { phase -> Bool in
            switch phase {
            case .dispatched(let request):
                phase = .queued(request, leave: leave)
                return false
            case .cancelled: return true
            case .queued, .starting, .running, .finished: return false
            }
        }
        if leaveNow { leaveQueue(leave) }
    }

    /// The client left: the request leaves the queue, or its task is cancelled.
    private func cancel() {
        let previous = phase.withLockedValue { phase -> Phase in
            let previous = phase
            if case .finished = phase {} else { phase = .cancelled }
            return previous
        }
        switch previous {
        case .queued(_, let leave): leaveQueue(leave)
        case .running(let task): task.cancel()
        case .dispatched, .starting, .cancelled, .finished: break
        }
    }

    /// Leaves the admission queue (if still in it); the request never runs, so its connection
    /// closes unanswered.
    private func leaveQueue(_ leave: @Sendable () -> Void) {
        leave()
        channel.close(promise: nil)
    }

    private func start(refusal: APIError?) {
        let admitted = refusal == nil && server.admission != nil
        let request = phase.withLockedValue { phase -> Request? in
            switch phase {
            case .dispatched(let request), .queued(let request, _):
                phase = .starting
                return request
            case .starting, .running, .cancelled, .finished:
                return nil
            }
        }
        guard let request else {
            // The client left before its turn came.
            if admitted { server.admission?.finished() }
            return channel.close(promise: nil)
        }
        let task = Task { await serve(request, refusal: refusal, admitted: admitted) }
        let wasCancelled = phase.withLockedValue { phase -> Bool in
            if case .cancelled = phase { return true }
            phase = .running(task)
            return false
        }
        if wasCancelled { task.cancel() }
    }

    private func serve(_ request: Request, refusal: APIError?, admitted: Bool) async {
        let ticket = admitted ? server.admission.map(AdmissionTicket.init) : nil
        defer {
            phase.withLockedValue { $0 = .finished }  // drops the task handle
            control.finishedRequest(self)
            ticket?.returnUnlessHandedOver()
        }
        // No `hb.request.id`: `RequestIDMiddleware` tags the request's logger with `request_id`, the
        // id of its canonical log line.
        let logger = server.logger
        var response = await respond(to: request, logger: logger, refusal: refusal)
        response.headers[.date] = HTTPDate.now
        if closeAfter { response.headers[.connection] = "close" }
        let writer = ChannelResponseWriter(channel: channel, head: response.head, closeAfter: closeAfter, ticket: ticket, logger: logger)
        do {
            try await response.body.write(writer)
        } catch {
            logger.trace("Failed to write the response", metadata: ["error": "\(error)"])
            channel.close(promise: nil)
        }
    }

    private func respond(to request: Request, logger: Logger, refusal: APIError?) async -> Response {
        await withLogger(logger) { logger in
            let context = Responder.Context(source: .init(channel: channel, logger: logger))
            do {
                guard let refusal else { return try await server.responder.respond(to: request, context: context) }
                return try await Admission.$refusal.withValue(refusal) { try await server.responder.respond(to: request, context: context) }
            } catch {
                logger.debug("Unrecognised Error", metadata: ["error.type": "\(error)"])
                return Response(status: .internalServerError)
            }
        }
    }
}
