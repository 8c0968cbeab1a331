import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Runs a closure every `interval` on one of NIO's event loops, until ``start(_:)``'s owner lets it go.
///
/// The owner keeps it and captures itself weakly in the tick, so the timer stops with the owner.
final class RepeatingTimer: Sendable {
    private let interval: TimeAmount
    private let task = NIOLockedValueBox<RepeatedTask?>(nil)

    init(interval: TimeAmount) {
        self.interval = interval
    }

    deinit {
        task.withLockedValue { $0?.cancel() }
    }

    /// Starts ticking; call once.
    func start(_ tick: @escaping @Sendable () -> Void) {
        let repeated = NIOSingletons.posixEventLoopGroup.any().scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in tick() }
        task.withLockedValue { $0 = repeated }
    }
}

/// Runs registered actions once their deadline has passed, checked by one repeating timer every `interval`.
///
/// A NIO timer per request, scheduled and cancelled from Swift's threads, costs a lock and often an
/// event-loop wake-up each way; with at most a few hundred deadlines pending, one sweep over them per
/// `interval` is cheaper. Deadlines are kept to within `interval`.
/// ```swift
/// let id = sweeper.register(deadline: .now() + .seconds(2)) { task.cancel() }
/// defer { sweeper.unregister(id) }
/// ```
public final class DeadlineSweeper: Sendable {
    private struct State {
        var nextID: UInt64 = 0
        var entries: [UInt64: (deadline: NIODeadline, action: @Sendable () -> Void)] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let timer: RepeatingTimer

    /// Creates a sweeper checking every `interval`.
    public init(interval: TimeAmount) {
        timer = RepeatingTimer(interval: interval)
        timer.start { [weak self] in self?.sweep() }
    }

    /// Runs `action` once `deadline` has passed, unless ``unregister(_:)`` comes first.
    public func register(deadline: NIODeadline, _ action: @escaping @Sendable () -> Void) -> UInt64 {
        state.withLockedValue { state in
            state.nextID += 1
            state.entries[state.nextID] = (deadline, action)
            return state.nextID
        }
    }

    /// Drops a pending deadline; does nothing if it already ran.
    public func unregister(_ id: UInt64) {
        _ = state.withLockedValue { $0.entries.removeValue(forKey: id) }
    }

    private func sweep() {
        let now = NIODeadline.now()
        let overdue = state.withLockedValue { state -> [@Sendable () -> Void] in
            let ids = state.entries.compactMap { $0.value.deadline <= now ? $0.key : nil }
            return ids.compactMap { state.entries.removeValue(forKey: $0)?.action }
        }
        for action in overdue { action() }
    }
}
