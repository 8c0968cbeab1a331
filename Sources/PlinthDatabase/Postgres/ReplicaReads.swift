import Logging
import NIOConcurrencyHelpers
import PlinthCore

/// Sends reads to a streaming replica whenever it has replayed every write this instance knows of,
/// and to the primary otherwise, so no read is staler than what the instance has already seen.
///
/// "Known" writes are the instance's own (after each, the primary's WAL position is noted before
/// the write returns) and other clients' (noted when their change notification arrives, before
/// the cached pages drop); while a position is being asked for, reads use the primary. A read goes to the replica only once its replayed position is at or past
/// the highest noted one; while it is behind, reads go to the primary and one check at a time asks
/// the replica how far it has got. If the replica fails, reads go to the primary (said once in the
/// log) until a probe connects to it again.
final class ReplicaReads: Sendable {
    let primary: PostgresBackend
    let replica: PostgresBackend
    private let logger: Logger
    private let state = NIOLockedValueBox(Positions())
    /// How often a replica that failed is probed.
    static let probeInterval: Duration = .seconds(1)

    /// What is known of the two servers' WAL positions.
    private struct Positions {
        /// The WAL position, in bytes, the replica must have replayed; `.max` while a write's
        /// position could not be learned (reads use the primary until one is).
        var required: Int64 = 0
        /// Writes whose position is being asked for: reads use the primary meanwhile.
        var pending = 0
        /// The replica's replayed position at the last check.
        var replayed: Int64 = -1
        var checking = false
        var down = false
    }

    private static let primaryPosition: SQL = "SELECT (pg_current_wal_lsn() - '0/0')::int8"
    // On a server that is not a standby (a misconfigured URL) there is no replay position; its
    // current one stands in, so it is read from as it would be without a replica.
    private static let replayedPosition: SQL = "SELECT (COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_lsn()) - '0/0')::int8"

    init(primary: PostgresBackend, replica: PostgresBackend, logger: Logger) {
        self.primary = primary
        self.replica = replica
        self.logger = logger
    }

    /// Runs a read on the replica if it is current enough, else (or if it fails) on the primary.
    func fold<State: Sendable>(
        _ sql: SQL,
        into initial: State,
        _ step: @escaping @Sendable (inout State, inout SQLRow) throws -> Void
    ) async throws -> State {
        guard useReplica() else { return try await primary.fold(sql, write: false, into: initial, step) }
        do {
            return try await replica.fold(sql, write: false, into: initial, step)
        } catch let error as StoreError where error.kind == .timeout {
            throw error  // the statement itself is slow: the primary would time out as well
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            replicaFailed(error)
            return try await primary.fold(sql, write: false, into: initial, step)
        }
    }

    /// Notes the primary's WAL position after one of this instance's writes: reads then wait for the
    /// replica to replay that far.
    func noteWrite() async {
        state.withLockedValue { $0.pending += 1 }
        await learnPosition()
    }

    /// Notes a write another client made, of which a change notification just arrived: reads use
    /// the primary from now until its position is known, so `dropCached` runs at once, as it would
    /// without a replica, and a page rebuilt after it is read where the write is visible.
    func noteHeardWrite(dropCached: () -> Void) async {
        state.withLockedValue { $0.pending += 1 }
        dropCached()
        await learnPosition()
    }

    /// Asks the primary for its WAL position, for the write counted in `pending`.
    private func learnPosition() async {
        do {
            let position = try await primary.fold(Self.primaryPosition, write: false, into: Int64(0)) { value, row in value = Int64(try row.int()) }
            state.withLockedValue { state in
                state.pending -= 1
                state.required = state.required == .max ? position : max(state.required, position)
            }
        } catch {
            state.withLockedValue { state in
                state.pending -= 1
                state.required = .max
            }
        }
    }

    /// Whether this read may go to the replica; starts a check of its position when it is behind.
    private func useReplica() -> Bool {
        let startCheck: Bool
        let current: Bool
        (current, startCheck) = state.withLockedValue { state in
            if state.down || state.pending > 0 || state.required == .max { return (false, false) }
            if state.replayed >= state.required { return (true, false) }
            if state.checking { return (false, false) }
            state.checking = true
            return (false, true)
        }
        if startCheck { Task { await self.checkReplica() } }
        return current
    }

    private func checkReplica() async {
        do {
            let position = try await replica.fold(Self.replayedPosition, write: false, into: Int64(-1)) { value, row in value = Int64(try row.int()) }
            state.withLockedValue { state in
                state.replayed = max(state.replayed, position)
                state.checking = false
            }
        } catch {
            state.withLockedValue { $0.checking = false }
            replicaFailed(error)
        }
    }

    /// Marks the replica down (logging it once) and probes it until it answers again.
    private func replicaFailed(_ error: any Error) {
        let first = state.withLockedValue { state in
            defer { state.down = true }
            return !state.down
        }
        guard first else { return }
        logger.warning("the read replica failed; reading from the primary until it is back", metadata: ["error": "\(String(reflecting: error))"])
        Task { [weak self] in
            while let replica = self?.replica {
                try? await Task.sleep(for: Self.probeInterval)
                guard await replica.probe() == nil, let self else { continue }
                self.state.withLockedValue { state in
                    state.down = false
                    state.replayed = -1  // unknown: checked again before the next read uses it
                }
                self.logger.notice("reading from the replica again")
                return
            }
        }
    }
}
