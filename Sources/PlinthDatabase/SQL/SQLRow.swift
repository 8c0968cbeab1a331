import Foundation
import GRDB
import NIOCore
import PlinthCore
import PostgresNIO

/// One result row, read column by column in the `SELECT`'s order by a store's one row-mapping function.
///
/// The same mapping serves both dialects: a UUID comes from PostgreSQL's binary `uuid` or SQLite's
/// text, a timestamp from `timestamptz` or ISO 8601 text. A value of the wrong type or shape throws
/// ``StoreError`` `.corrupt` (a 500), never a wrong value.
/// ```swift
/// static func post(_ row: inout SQLRow) throws -> Post {
///     Post(id: try row.uuid(), title: try row.text(), body: try row.text(), createdAt: try row.timestamp(), updatedAt: try row.timestamp())
/// }
/// ```
public struct SQLRow {
    enum Storage {
        case sqlite(GRDB.Row, index: Int)
        case postgres(PostgresRow.Iterator)
    }

    var storage: Storage

    init(sqlite row: GRDB.Row) { storage = .sqlite(row, index: 0) }

    init(postgres row: PostgresRow) { storage = .postgres(row.makeIterator()) }

    /// The next column as text.
    public mutating func text() throws -> String {
        switch storage {
        case .sqlite(let row, let index):
            storage = .sqlite(row, index: index + 1)
            guard let text = row[index] as String? else { throw Self.corrupt("text", row: row) }
            return text
        case .postgres(var cells):
            defer { storage = .postgres(cells) }
            guard let cell = cells.next(), cell.dataType == .text || cell.dataType == .varchar, cell.format == .binary, let bytes = cell.bytes
            else { throw Self.corrupt("text") }
            return String(buffer: bytes)
        }
    }

    /// The next column as an integer.
    public mutating func int() throws -> Int {
        switch storage {
        case .sqlite(let row, let index):
            storage = .sqlite(row, index: index + 1)
            guard let value = row[index] as Int? else { throw Self.corrupt("integer", row: row) }
            return value
        case .postgres(var cells):
            defer { storage = .postgres(cells) }
            guard let cell = cells.next(), cell.format == .binary, var bytes = cell.bytes else { throw Self.corrupt("integer") }
            switch (cell.dataType, bytes.readableBytes) {
            case (.int8, 8): return Int(bytes.readInteger(as: Int64.self)!)
            case (.int4, 4): return Int(bytes.readInteger(as: Int32.self)!)
            case (.int2, 2): return Int(bytes.readInteger(as: Int16.self)!)
            default: throw Self.corrupt("integer")
            }
        }
    }

    /// The next column as a UUID.
    public mutating func uuid() throws -> UUID {
        switch storage {
        case .sqlite(let row, let index):
            storage = .sqlite(row, index: index + 1)
            guard let text = row[index] as String?, let id = UUID(canonical: text) else { throw Self.corrupt("UUID", row: row) }
            return id
        case .postgres(var cells):
            defer { storage = .postgres(cells) }
            guard let cell = cells.next(), cell.dataType == .uuid, cell.format == .binary, let bytes = cell.bytes, bytes.readableBytes == 16
            else { throw Self.corrupt("UUID") }
            var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &value) { target in bytes.withUnsafeReadableBytes { target.copyMemory(from: $0) } }
            return UUID(uuid: value)
        }
    }

    /// The next column as a timestamp; `timestamptz` (microseconds since 2000-01-01 UTC) is floored to the second.
    public mutating func timestamp() throws -> Timestamp {
        switch storage {
        case .sqlite(let row, let index):
            storage = .sqlite(row, index: index + 1)
            guard let text = row[index] as String?, let timestamp = Timestamp(iso8601: text) else { throw Self.corrupt("timestamp", row: row) }
            return timestamp
        case .postgres(var cells):
            defer { storage = .postgres(cells) }
            guard let cell = cells.next(), cell.dataType == .timestamptz, cell.format == .binary, var bytes = cell.bytes,
                bytes.readableBytes == 8, let microseconds = bytes.readInteger(as: Int64.self)
            else { throw Self.corrupt("timestamp") }
            let (seconds, remainder) = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
            return Timestamp(secondsSince1970: seconds - (remainder < 0 ? 1 : 0) + 946_684_800)
        }
    }

    private static func corrupt(_ expected: String, row: GRDB.Row? = nil) -> StoreError {
        StoreError(.corrupt, "expected a \(expected) column" + (row.map { " in \($0)" } ?? ""))
    }
}
