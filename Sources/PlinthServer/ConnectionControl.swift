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
            defer { state.cancelRequest = nil }
            return state.cancelRequest
        }
        cancel?()
    }

    /// Registers how to cancel the request now being served; runs it at once if already stopped.
    public func servingRequest(cancel: @escaping @Sendable () -> Void) {
        let stopped = state.withLockedValue { state in
            if !state.stopped { state.cancelRequest = cancel }
            return state.stopped
        }
        if stopped { cancel() }
    }
}
