import NIOConcurrencyHelpers

/// A connection's "stop serving it" switch, thrown by ``ConnectionGuardHandler`` when the client
/// goes away, and awaited by ``PlinthHTTP1Channel``, which then cancels the connection's task.
///
/// Cancelling that task cancels the request being served: queued store calls leave their queue
/// and running PostgreSQL queries are cancelled, so no database work is done for a client that
/// already hung up (under overload, wrk and hey time out and reconnect by the thousand).
public final class ConnectionControl: Sendable {
    private struct State {
        var stopped = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = NIOLockedValueBox(State())

    /// Creates an open switch.
    public init() {}

    /// Whether the switch has been thrown.
    public var isStopped: Bool { state.withLockedValue { $0.stopped } }

    /// Throws the switch; later calls do nothing.
    public func stop() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard !state.stopped else { return nil }
            state.stopped = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns once the switch is thrown (at the latest when the connection closes).
    public func waitUntilStopped() async {
        await withCheckedContinuation { continuation in
            let stopped = state.withLockedValue { state -> Bool in
                if !state.stopped { state.waiter = continuation }
                return state.stopped
            }
            if stopped { continuation.resume() }
        }
    }
}
