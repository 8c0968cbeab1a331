import Foundation
import GRDBSQLite
import NIOCore
import PlinthCore
import PostgresNIO

/// One result row, read column by column in the `SELECT`'s order by a store's one row-mapping function.
///
/// The same mapping serves both dialects: a UUID comes from PostgreSQL's binary `uuid` or SQLite's
/// text, a timestamp from `timestamptz` or ISO 8601 text. A value of the wrong type or shape throws
/// ``StoreError`` `.corrupt` (a 500), never a wrong value. Columns are read in place, from SQLite's
/// statement or PostgreSQL's message buffer: only ``text()`` makes a `String`.
/// ```swift
/// static func post(_ row: inout SQLRow) throws -> Post {
///     Post(id: try row.uuid(), title: try row.text(), body: try row.text(), createdAt: try row.timestamp(), updatedAt: try row.timestamp())
/// }
/// ```
public struct SQLRow {
    private let statement: OpaquePointer?
    private var cells: PostgresRow.Iterator?
    private var column: Int32 = 0
    /// Whether PostgreSQL's cells are in binary whatever they are labelled: PostgresNIO always asks
    /// for binary results, but labels a prepared statement's columns with the text format its
    /// description reported.
    private let binaryCells: Bool

    init(sqlite statement: OpaquePointer) {
        self.statement = statement
        self.cells = nil
        self.binaryCells = false
    }

    init(postgres row: PostgresRow, preparedStatement: Bool = false) {
        self.statement = nil
        self.cells = row.makeIterator()
        self.binaryCells = preparedStatement
    }

    /// The next column as a `String`.
    public mutating func text() throws -> String {
        try textView().string
    }

    /// The next column's text read in place, valid until the next row is read: for writing it out
    /// without a `String`.
    public mutating func textView() throws -> SQLText {
        if let statement {
            let bytes = try sqliteText(statement, "text")
            guard let needsEscaping = utf8NeedsJSONEscaping(bytes) else { return SQLText(String(decoding: bytes, as: UTF8.self)) }
            return SQLText(bytes, needsJSONEscaping: needsEscaping)
        }
        guard let (type, bytes) = nextPostgresColumn(), type == .text || type == .varchar, let bytes
        else { throw Self.corrupt("text") }
        return SQLText(bytes)
    }

    /// The next column as an integer.
    public mutating func int() throws -> Int {
        if let statement {
            defer { column += 1 }
            guard sqlite3_column_type(statement, column) == SQLITE_INTEGER else { throw corrupt(statement, "integer") }
            return Int(sqlite3_column_int64(statement, column))
        }
        guard let (type, bytes) = nextPostgresColumn(), let bytes else { throw Self.corrupt("integer") }
        switch (type, bytes.count) {
        case (.int8, 8): return Int(Int64(bigEndian: bytes.loadUnaligned(as: Int64.self)))
        case (.int4, 4): return Int(Int32(bigEndian: bytes.loadUnaligned(as: Int32.self)))
        case (.int2, 2): return Int(Int16(bigEndian: bytes.loadUnaligned(as: Int16.self)))
        default: throw Self.corrupt("integer")
        }
    }

    /// The next column as a boolean: PostgreSQL's `boolean`, or SQLite's integer 0 or 1.
    public mutating func bool() throws -> Bool {
        if let statement {
            defer { column += 1 }
            guard sqlite3_column_type(statement, column) == SQLITE_INTEGER else { throw corrupt(statement, "boolean") }
            switch sqlite3_column_int64(statement, column) {
            case 0: return false
            case 1: return true
            default: throw corrupt(statement, "boolean")
            }
        }
        guard let (type, bytes) = nextPostgresColumn(), type == .bool, let bytes, bytes.count == 1 else {
            throw Self.corrupt("boolean")
        }
        switch bytes[0] {
        case 0: return false
        case 1: return true
        default: throw Self.corrupt("boolean")
        }
    }

    /// The next column as a UUID.
    public mutating func uuid() throws -> UUID {
        if let statement {
            guard let id = UUID(canonicalUTF8: try sqliteText(statement, "UUID")) else { throw corrupt(statement, "UUID", column - 1) }
            return id
        }
        guard let (type, bytes) = nextPostgresColumn(), type == .uuid, let bytes, bytes.count == 16 else {
            throw Self.corrupt("UUID")
        }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: bytes) }
        return UUID(uuid: value)
    }

    /// The next column as a timestamp; `timestamptz` (microseconds since 2000-01-01 UTC) is floored to the second.
    public mutating func timestamp() throws -> Timestamp {
        if let statement {
            guard let timestamp = Timestamp(iso8601UTF8: try sqliteText(statement, "timestamp")) else {
                throw corrupt(statement, "timestamp", column - 1)
            }
            return timestamp
        }
        guard let (type, bytes) = nextPostgresColumn(), type == .timestamptz, let bytes, bytes.count == 8 else {
            throw Self.corrupt("timestamp")
        }
        let microseconds = Int64(bigEndian: bytes.loadUnaligned(as: Int64.self))
        let (seconds, remainder) = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        return Timestamp(secondsSince1970: seconds - (remainder < 0 ? 1 : 0) + 946_684_800)
    }

    /// The next SQLite column's text bytes, in the statement's memory until the next step.
    private mutating func sqliteText(_ statement: OpaquePointer, _ expected: String) throws -> UnsafeRawBufferPointer {
        defer { column += 1 }
        guard sqlite3_column_type(statement, column) == SQLITE_TEXT else { throw corrupt(statement, expected) }
        let start = sqlite3_column_text(statement, column)
        return UnsafeRawBufferPointer(start: start, count: Int(sqlite3_column_bytes(statement, column)))
    }

    /// The next PostgreSQL column's type and bytes (`nil` for `NULL`); `nil` past the last column or
    /// for a column not in the binary format this reads.
    ///
    /// A cell is a slice of the row's message buffer, which `cells` keeps alive (and nothing writes
    /// to) until the next row: its memory stays put, as SQLite's does until the next step. Handing
    /// out the memory rather than the slice saves a retain and release per column.
    private mutating func nextPostgresColumn() -> (PostgresDataType, UnsafeRawBufferPointer?)? {
        guard let cell = cells?.next(), binaryCells || cell.format == .binary else { return nil }
        return (cell.dataType, cell.bytes?.withUnsafeReadableBytes { $0 })
    }

    private func corrupt(_ statement: OpaquePointer, _ expected: String, _ index: Int32? = nil) -> StoreError {
        let name = sqlite3_column_name(statement, index ?? column).map { String(cString: $0) } ?? "?"
        return StoreError(.corrupt, "expected a \(expected) in column \(name)")
    }

    private static func corrupt(_ expected: String) -> StoreError {
        StoreError(.corrupt, "expected a \(expected) column")
    }
}

/// A text column read in place (SQLite's statement memory or PostgreSQL's message buffer), valid
/// only while its row is being read; ``JSONWriter`` copies it without making a `String`.
public struct SQLText: UTF8Text {
    private enum Storage {
        case memory(UnsafeRawBufferPointer)
        case string(String)
    }

    private let storage: Storage
    /// Whether a byte needs a JSON escape, when the reader found out (SQLite's text, as it is checked).
    public let needsJSONEscaping: Bool?

    init(_ bytes: UnsafeRawBufferPointer, needsJSONEscaping: Bool? = nil) {
        storage = .memory(bytes)
        self.needsJSONEscaping = needsJSONEscaping
    }

    init(_ string: String) {
        storage = .string(string)
        needsJSONEscaping = nil
    }

    /// A copy as a `String`.
    public var string: String {
        switch storage {
        case .memory(let bytes): String(decoding: bytes, as: UTF8.self)
        case .string(let string): string
        }
    }

    /// Calls `body` with the UTF-8 bytes.
    public func withUTF8Bytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        switch storage {
        case .memory(let bytes): try body(bytes)
        case .string(let string): try string.withUTF8Bytes(body)
        }
    }
}
