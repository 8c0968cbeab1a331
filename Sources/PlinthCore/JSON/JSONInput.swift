import Foundation

/// A JSON request body checked field by field, so a 422 can name every problem at once.
///
/// Refuses, by name, duplicate keys (Foundation would keep one of them silently) and fields not
/// in `allowed` (so typos do not pass unnoticed):
/// ```swift
/// var input = try JSONInput(json: body, allowed: ["title", "body"], example: #"{"title": "..."}"#)
/// let title = input.text("title", trim: true, max: 200, required: true)
/// try input.finish(resource: "post")   // 422 "Invalid post: title is required; ..."
/// ```
public struct JSONInput: Sendable {
    /// The top-level fields.
    public let fields: [String: JSONValue]
    /// What is wrong so far.
    public var problems: [String] = []

    /// Parses `json`: 400 when it is not JSON, 422 when it is not an object.
    public init(json: Data, allowed: [String], example: String) throws {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: json)
        } catch {
            throw APIError(.badRequest, message: "Request body is not valid JSON: send a JSON object such as \(example).")
        }
        guard case .object(let fields) = value else {
            throw APIError(.unprocessableEntity, message: "Request body must be a JSON object with \(allowed.joined(separator: " and ")).")
        }
        self.fields = fields
        let duplicates = Self.duplicateTopLevelKeys(json)
        if !duplicates.isEmpty {
            problems.append("duplicate field\(duplicates.count == 1 ? "" : "s") " + duplicates.map { "\"\($0.prefix(40))\"" }.joined(separator: ", "))
        }
        let unknown = fields.keys.filter { !allowed.contains($0) }.sorted()
        if !unknown.isEmpty {
            let names = unknown.map { "\"\($0.prefix(40))\"" }.joined(separator: ", ")
            problems.append("unknown field\(unknown.count == 1 ? "" : "s") \(names) (allowed: \(allowed.joined(separator: ", ")))")
        }
    }

    /// Throws 422 `Invalid <resource>: ...` naming every problem, if there is any.
    public func finish(resource: String) throws {
        guard problems.isEmpty else {
            throw APIError(.unprocessableEntity, message: "Invalid \(resource): " + problems.joined(separator: "; ") + ".")
        }
    }

    /// Whitespace as JSON Schema's (ECMAScript's) `\s` defines it, so `/schema.json`'s pattern and
    /// this check agree on what a blank title is.
    public static let blank = CharacterSet(
        charactersIn:
            "\t\n\u{0B}\u{0C}\r \u{A0}\u{1680}\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}"
    )

    /// The string field `name`, trimmed of surrounding whitespace when `trim`, at most `max`
    /// characters (Unicode code points, as JSON Schema's `maxLength` counts them), never blank or
    /// holding NUL (which PostgreSQL cannot store); `nil` with the problem noted otherwise.
    public mutating func text(_ name: String, trim: Bool, max: Int, required: Bool) -> String? {
        guard let value = present(name, required: required) else { return nil }
        guard case .string(let raw) = value else {
            problems.append("\(name) must be a string, not \(value.typeName)")
            return nil
        }
        let text = trim ? raw.trimmingCharacters(in: Self.blank) : raw
        let length = text.unicodeScalars.count
        if text.isEmpty {
            problems.append("\(name) must not be blank")
        } else if length > max {
            problems.append("\(name) must be at most \(max) characters (got \(length))")
        } else if text.utf8.contains(0) {
            problems.append("\(name) must not contain NUL characters")
        } else {
            return text
        }
        return nil
    }

    /// The largest integer a JSON number carries exactly (2^53 - 1): beyond it, clients in
    /// JavaScript and the decoder here would round.
    public static let maxExactInteger = 9_007_199_254_740_991

    /// The integer field `name`, within ±``maxExactInteger``; `nil` with the problem noted otherwise.
    public mutating func integer(_ name: String, required: Bool) -> Int? {
        guard let value = present(name, required: required) else { return nil }
        guard case .number(let number) = value, number.rounded() == number, abs(number) <= Double(Self.maxExactInteger) else {
            if case .number = value {
                problems.append("\(name) must be an integer between -\(Self.maxExactInteger) and \(Self.maxExactInteger)")
            } else {
                problems.append("\(name) must be an integer, not \(value.typeName)")
            }
            return nil
        }
        return Int(number)
    }

    /// The boolean field `name`; `nil` with the problem noted otherwise.
    public mutating func bool(_ name: String, required: Bool) -> Bool? {
        guard let value = present(name, required: required) else { return nil }
        guard case .bool(let flag) = value else {
            problems.append("\(name) must be true or false, not \(value.typeName)")
            return nil
        }
        return flag
    }

    /// The time field `name`, `YYYY-MM-DDTHH:MM:SSZ` in UTC; `nil` with the problem noted otherwise.
    public mutating func timestamp(_ name: String, required: Bool) -> Timestamp? {
        guard let value = present(name, required: required) else { return nil }
        guard case .string(let text) = value, let timestamp = Timestamp(iso8601: text) else {
            problems.append("\(name) must be a UTC time such as \"2015-03-01T12:00:52Z\"")
            return nil
        }
        return timestamp
    }

    /// The UUID field `name`, in its canonical 36-character form; `nil` with the problem noted otherwise.
    public mutating func uuid(_ name: String, required: Bool) -> UUID? {
        guard let value = present(name, required: required) else { return nil }
        guard case .string(let text) = value, let id = UUID(canonical: text) else {
            problems.append("\(name) must be a UUID such as \"01234567-89ab-cdef-0123-456789abcdef\"")
            return nil
        }
        return id
    }

    /// The field's value unless it is absent or `null` (a problem when `required`, or when `null`:
    /// no generated field is nullable, and an update cannot clear one).
    private mutating func present(_ name: String, required: Bool) -> JSONValue? {
        guard let value = fields[name], value != .null else {
            if required || fields[name] == .null { problems.append("\(name) is required") }
            return nil
        }
        return value
    }

    /// The keys that occur more than once at the top level of a JSON object already known to be valid.
    public static func duplicateTopLevelKeys(_ json: Data) -> [String] {
        var seen: Set<String> = []
        var duplicates: [String] = []
        var depth = 0
        var index = json.startIndex
        var expectingKey = false
        while index < json.endIndex {
            let byte = json[index]
            switch byte {
            case UInt8(ascii: "{"):
                depth += 1
                expectingKey = depth == 1
            case UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                expectingKey = depth == 1
            case UInt8(ascii: "\""):
                let start = index
                index += 1
                while index < json.endIndex, json[index] != UInt8(ascii: "\"") {
                    index += json[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                if expectingKey, depth == 1, index < json.endIndex,
                    let key = try? JSONDecoder().decode(String.self, from: json[start...index])
                {
                    if !seen.insert(key).inserted, !duplicates.contains(key) { duplicates.append(key) }
                    expectingKey = false
                }
            default:
                break
            }
            index += 1
        }
        return duplicates
    }

}

/// Any JSON value, for checking a request body's shape before trusting it.
public enum JSONValue: Decodable, Equatable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .number(try container.decode(Double.self))
        }
    }

    /// "a string", "an object", ...: for messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
