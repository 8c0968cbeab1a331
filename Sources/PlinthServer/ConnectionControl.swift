import NIOConcurrencyHelpers
import Plinth
import PlinthCore

/// A connection's "client gone" switch: thrown by ``ConnectionGuardHandler`` when the client
/// closes its side or the connection drops; cancels the request the connection is serving.
///
/// ``PlinthHTTP1Channel`` registers each request (``RequestRun``): its task, or its place in the
/// admission queue, with the control of its connection. Cancelling that task cancels the request's
/// work: queued store calls leave their queue and running PostgreSQL queries are cancelled, so no database work is done for a client that already hung up (under overload,
/// wrk and hey time out and reconnect by the thousand). Costs no task of its own.
public final class ConnectionControl: Sendable {
    private struct State {
        var stopped = false
        var request: ObjectIdentifier?
        var cancelRequest: (@Sendable () -> Void)?
    }

    private let state = NIOLockedValueBox(State())

    /// Creates an open switch.
    public init() {}

    /// Throws the switch and cancels the request in progress; later calls do nothing.
    public func stop() {
        let cancel = state.withLockedValue { state -> (@Sendable () -> Void)? in
            guard !state.stopped else { return nil }
            state.stopped = true
            defer { (state.request, state.cancelRequest) = (nil, nil) }
            return state.cancelRequest
        }
        cancel?()
    }

    /// Registers how to cancel `request`, now being served; runs `cancel` at once if already stopped.
    public func servingRequest(_ request: AnyObject, cancel: @escaping @Sendable () -> Void) {
        let stopped = state.withLockedValue { state in
            if !state.stopped { (state.request, state.cancelRequest) = (ObjectIdentifier(request), cancel) }
            return state.stopped
        }
        if stopped { cancel() }
    }

    /// `request` is answered: its cancel is dropped, unless a later request has registered since.
    /// An idle connection keeps no request (its run, with its lock, is ~450 bytes per connection).
    public func finishedRequest(_ request: AnyObject) {
        state.withLockedValue { state in
            if state.request == ObjectIdentifier(request) { (state.request, state.cancelRequest) = (nil, nil) }
        }
    }

    /// A request is registered and not yet answered.
    public var isServingRequest: Bool { state.withLockedValue { $0.cancelRequest != nil } }
}
