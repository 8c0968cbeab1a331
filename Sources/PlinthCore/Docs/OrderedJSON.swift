import Foundation

/// A JSON value whose objects keep their members in document order: an API reference lists paths and
/// fields in the order the schema's authors wrote them, which Foundation's parsers do not keep.
public indirect enum OrderedJSON: Equatable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, as written.
    case number(String)
    /// A string.
    case string(String)
    /// An array.
    case array([OrderedJSON])
    /// An object, its members in order.
    case object([(key: String, value: OrderedJSON)])

    /// Parses a whole JSON document; throws on anything else.
    public init(parsing data: Data) throws {
        var parser = Parser(bytes: Array(data))
        self = try parser.value()
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.error("trailing characters") }
    }

    /// The member `key` of an object, or `nil`.
    public subscript(key: String) -> OrderedJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The members of an object, in order; empty for anything else.
    public var members: [(key: String, value: OrderedJSON)] {
        if case .object(let members) = self { members } else { [] }
    }

    /// The elements of an array; empty for anything else.
    public var elements: [OrderedJSON] {
        if case .array(let elements) = self { elements } else { [] }
    }

    /// The string, or `nil`.
    public var string: String? {
        if case .string(let text) = self { text } else { nil }
    }

    /// The number as written, or the boolean as `true`/`false`, or `nil`.
    public var scalarText: String? {
        switch self {
        case .number(let text): text
        case .bool(let value): value ? "true" : "false"
        case .string(let text): text
        default: nil
        }
    }

    public static func == (lhs: OrderedJSON, rhs: OrderedJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// A syntax error with its byte offset.
    public struct SyntaxError: Error, CustomStringConvertible {
        /// What is wrong, and where.
        public let description: String
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        func error(_ problem: String) -> SyntaxError { SyntaxError(description: "invalid JSON at byte \(index): \(problem)") }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }

        mutating func value() throws -> OrderedJSON {
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            default: return try number()
            }
        }

        mutating func literal(_ word: String, _ value: OrderedJSON) throws -> OrderedJSON {
            let end = index + word.utf8.count
            guard end <= bytes.count, bytes[index..<end].elementsEqual(word.utf8) else { throw error("expected \(word)") }
            index = end
            return value
        }

        mutating func number() throws -> OrderedJSON {
            let start = index
            while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard !text.isEmpty, Double(text) != nil else { throw error("expected a value") }
            return .number(text)
        }

        mutating func object() throws -> OrderedJSON {
            index += 1
            var members: [(key: String, value: OrderedJSON)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key") }
                let key = try string()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected :") }
                index += 1
                members.append((key, try value()))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end") }
                index += 1
                if bytes[index - 1] == UInt8(ascii: "}") { return .object(members) }
                guard bytes[index - 1] == UInt8(ascii: ",") else { throw error("expected , or }") }
            }
        }

        mutating func array() throws -> OrderedJSON {
            index += 1
            var elements: [OrderedJSON] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                elements.append(try value())
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end") }
                index += 1
                if bytes[index - 1] == UInt8(ascii: "]") { return .array(elements) }
                guard bytes[index - 1] == UInt8(ascii: ",") else { throw error("expected , or ]") }
            }
        }

        /// A string literal; escapes are decoded by Foundation, which checks them.
        mutating func string() throws -> String {
            let start = index
            index += 1
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard index < bytes.count else { throw error("unterminated string") }
            index += 1
            let content = bytes[(start + 1)..<(index - 1)]
            if !content.contains(UInt8(ascii: "\\")), !content.contains(where: { $0 < 0x20 }) {
                return String(decoding: content, as: UTF8.self)
            }
            let literal = Data(bytes[start..<index])
            guard let text = try? JSONDecoder().decode(String.self, from: literal) else { throw error("bad string") }
            return text
        }
    }
}
