import Foundation
import NIOConcurrencyHelpers
import NIOCore
import PlinthCore
import PostgresNIO

/// Read statements prepared once per pooled connection, by their SQL, so PostgreSQL parses and
/// plans each only once per connection (as lib/pq's `Prepare` does) and the connection skips the
/// Parse and Describe messages and the row description on every later run.
///
/// PostgresNIO 1.33 prepares a statement through its type only when the SQL is fixed in a type
/// (`PostgresPreparedStatement`); a page's SQL depends on its query, so this uses the connection's
/// `prepare(query:)`. That sends no parameter types, so the SQL given here carries a cast on every
/// placeholder (`$1::uuid`) and PostgreSQL infers exactly the types the values are encoded in.
final class PreparedStatements: Sendable {
    /// The most statements kept per connection: an app's reads have a handful of shapes; SQL built
    /// from unbounded input runs unprepared rather than growing the server's memory.
    static let perConnection = 64

    private let byConnection = NIOLockedValueBox<[PostgresConnection.ID: [String: PreparedQuery]]>([:])

    /// The statement for `sql` on `connection`, prepared now if it was not yet; `nil` when the
    /// connection holds as many as it may.
    func statement(_ sql: String, on connection: PostgresConnection) async throws -> PreparedQuery? {
        let (found, isFirst, hasRoom) = byConnection.withLockedValue { all in
            let statements = all[connection.id]
            return (statements?[sql], statements == nil, (statements?.count ?? 0) < Self.perConnection)
        }
        if let found { return found }
        guard hasRoom else { return nil }
        if isFirst {
            // A connection's statements die with it; a new connection gets a new id from the pool.
            connection.closeFuture.whenComplete { [byConnection, id = connection.id] _ in
                byConnection.withLockedValue { $0[id] = nil }
            }
        }
        let prepared = try await connection.prepare(query: sql).get()
        byConnection.withLockedValue { $0[connection.id, default: [:]][sql] = prepared }
        return prepared
    }

    /// Drops the statement for `sql` on `connection` (after it failed), so the next run prepares it again.
    func forget(_ sql: String, on connection: PostgresConnection) {
        byConnection.withLockedValue { all in _ = all[connection.id]?.removeValue(forKey: sql) }
    }

    /// How many statements are prepared, over all connections (for tests).
    var count: Int {
        byConnection.withLockedValue { all in all.values.reduce(0) { $0 + $1.count } }
    }

    /// The statement's text with a typed `$n` marker per value, and the values in the encodings
    /// those types read; `nil` when a value is `NULL`, whose type the statement alone cannot tell.
    static func typedStatement(_ sql: SQL) -> (text: String, values: [PostgresData])? {
        var values: [PostgresData] = []
        var typed = true
        let text = sql.render { index, value, text in
            text += "$"
            text += String(index)
            switch value {
            case .null: typed = false
            case .text: text += "::text"
            case .int: text += "::int8"
            case .bool: text += "::bool"
            case .uuid: text += "::uuid"
            case .timestamp: text += "::timestamptz"
            }
        } bind: { value in
            switch value {
            case .null: values.append(.null)
            case .text(let text): values.append(PostgresData(string: text))
            case .int(let int): values.append(PostgresData(int64: Int64(int)))
            case .bool(let bool): values.append(PostgresData(bool: bool))
            case .uuid(let id): values.append(PostgresData(uuid: id))
            case .timestamp(let timestamp): values.append(PostgresData(date: Date(timeIntervalSince1970: TimeInterval(timestamp.secondsSince1970))))
            }
        }
        return typed ? (text, values) : nil
    }
}
