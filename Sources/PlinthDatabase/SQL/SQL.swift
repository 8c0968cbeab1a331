import Foundation
import PlinthCore

/// One SQL statement whose values are always bound parameters, written once for every dialect.
///
/// Interpolated values become placeholders (`?` for SQLite, `$n` for PostgreSQL); only
/// `\(unescaped:)` text is spliced in, for SQL the app itself wrote:
/// ```swift
/// let sql: SQL = "SELECT \(unescaped: columns) FROM posts WHERE id = \(id)"
/// ```
public struct SQL: Sendable, ExpressibleByStringInterpolation {
    /// A piece of the statement: text, or a bound value.
    enum Part: Sendable {
        case text(String)
        case value(SQLValue)
    }

    private(set) var parts: [Part] = []

    /// A statement with no values.
    public init(stringLiteral text: String) {
        parts = [.text(text)]
    }

    /// A statement built by interpolation.
    public init(stringInterpolation: StringInterpolation) {
        parts = stringInterpolation.parts
    }

    /// A statement from text the app wrote and values bound in order for its `?` markers.
    public init(unsafe text: String, values: [SQLValue] = []) {
        var values = values.makeIterator()
        for (index, piece) in text.split(separator: "?", omittingEmptySubsequences: false).enumerated() {
            if index > 0, let value = values.next() { parts.append(.value(value)) }
            parts.append(.text(String(piece)))
        }
    }

    /// `self` followed by `other`.
    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        var sql = lhs
        sql.append(rhs)
        return sql
    }

    /// Appends `other`, its values kept bound.
    public mutating func append(_ other: SQL) {
        parts.append(contentsOf: other.parts)
    }

    /// The text, with each value's placeholder written by `placeholder` (given its 1-based index and
    /// the value), and each value handed to `bind` in order: one pass over the parts.
    func render(placeholder: (Int, SQLValue, inout String) -> Void, bind: (SQLValue) -> Void) -> String {
        var text = ""
        text.reserveCapacity(256)
        var index = 0
        for part in parts {
            switch part {
            case .text(let piece): text += piece
            case .value(let value):
                index += 1
                placeholder(index, value, &text)
                bind(value)
            }
        }
        return text
    }

    /// Builds a statement from literal text and bound values.
    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []

        /// Reserves room.
        public init(literalCapacity: Int, interpolationCount: Int) {
            parts.reserveCapacity(2 * interpolationCount + 1)
        }

        /// Literal SQL.
        public mutating func appendLiteral(_ literal: String) {
            if !literal.isEmpty { parts.append(.text(literal)) }
        }

        /// A bound value.
        public mutating func appendInterpolation(_ value: some SQLBindable) {
            parts.append(.value(value.sqlValue))
        }

        /// A bound value that may be `NULL`.
        public mutating func appendInterpolation(_ value: (some SQLBindable)?) {
            parts.append(.value(value?.sqlValue ?? .null))
        }

        /// A value already converted.
        public mutating func appendInterpolation(_ value: SQLValue) {
            parts.append(.value(value))
        }

        /// Text spliced into the statement as it is: only for SQL the app wrote, never for input.
        public mutating func appendInterpolation(unescaped text: String) {
            parts.append(.text(text))
        }

        /// Another statement, its values kept bound.
        public mutating func appendInterpolation(_ sql: SQL) {
            parts += sql.parts
        }
    }
}

/// A value bound to a statement; each dialect stores it in its own type (a UUID is `uuid` in
/// PostgreSQL and lowercase text in SQLite, a timestamp `timestamptz` or ISO 8601 text).
public enum SQLValue: Sendable, Equatable {
    /// `NULL`.
    case null
    /// Text.
    case text(String)
    /// A 64-bit integer.
    case int(Int)
    /// A boolean.
    case bool(Bool)
    /// A UUID.
    case uuid(UUID)
    /// A UTC time to the second.
    case timestamp(Timestamp)
}

/// A Swift value that can be bound to a statement.
public protocol SQLBindable: Sendable {
    /// The value to bind.
    var sqlValue: SQLValue { get }
}

extension String: SQLBindable {
    /// Text.
    public var sqlValue: SQLValue { .text(self) }
}

extension Int: SQLBindable {
    /// An integer.
    public var sqlValue: SQLValue { .int(self) }
}

extension Bool: SQLBindable {
    /// A boolean.
    public var sqlValue: SQLValue { .bool(self) }
}

extension UUID: SQLBindable {
    /// A UUID.
    public var sqlValue: SQLValue { .uuid(self) }
}

extension Timestamp: SQLBindable {
    /// A timestamp.
    public var sqlValue: SQLValue { .timestamp(self) }
}
