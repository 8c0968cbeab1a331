import Foundation
import Plinth

/// The fields a client may send for a post, validated.
///
/// `title`: a string, 1–200 characters after trimming (stored trimmed). `body`: a string,
/// 1–100,000 characters. Characters are Unicode code points, as JSON Schema's `maxLength` counts them. Neither may contain NUL, which PostgreSQL cannot store. Any other
/// field is refused by name, so typos do not pass silently.
public struct PostInput: Sendable, Equatable {
    /// The new title, if given.
    public var title: String?
    /// The new body, if given.
    public var body: String?

    /// Whitespace as JSON Schema's (ECMAScript's) `\s` defines it, so `/schema.json`'s pattern and
    /// this check agree on what a blank title is.
    static let blank = CharacterSet(
        charactersIn:
            "\t\n\u{0B}\u{0C}\r \u{A0}\u{1680}\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}"
    )

    /// The fields a client may send.
    public static let allowedFields = ["title", "body"]
    /// The longest title, in characters.
    public static let maxTitleLength = 200
    /// The longest body, in characters.
    public static let maxBodyLength = 100_000

    /// Creates input from values already checked.
    public init(title: String? = nil, body: String? = nil) {
        self.title = title
        self.body = body
    }

    /// Parses a JSON request body: 400 when it is not JSON, 422 naming each invalid field.
    ///
    /// With `requireAll` (create) both fields must be present; otherwise (update) at least one.
    public init(json: Data, requireAll: Bool) throws {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: json)
        } catch {
            throw APIError(
                .badRequest, message: "Request body is not valid JSON: send a JSON object such as {\"title\": \"...\", \"body\": \"...\"}.")
        }
        guard case .object(let fields) = value else {
            throw APIError(.unprocessableEntity, message: "Request body must be a JSON object with title and body.")
        }
        var problems: [String] = []
        // Foundation keeps one of two equal keys silently; which one a client meant is unknowable.
        let duplicates = Self.duplicateTopLevelKeys(json)
        if !duplicates.isEmpty {
            problems.append("duplicate field\(duplicates.count == 1 ? "" : "s") " + duplicates.map { "\"\($0.prefix(40))\"" }.joined(separator: ", "))
        }
        let unknown = fields.keys.filter { !Self.allowedFields.contains($0) }.sorted()
        if !unknown.isEmpty {
            let names = unknown.map { "\"\($0.prefix(40))\"" }.joined(separator: ", ")
            problems.append("unknown field\(unknown.count == 1 ? "" : "s") \(names) (allowed: title, body)")
        }
        title = Self.text(fields["title"], name: "title", trim: true, max: Self.maxTitleLength, required: requireAll, problems: &problems)
        body = Self.text(fields["body"], name: "body", trim: false, max: Self.maxBodyLength, required: requireAll, problems: &problems)
        if !requireAll, problems.isEmpty, title == nil, body == nil {
            problems.append("nothing to update: send title and/or body")
        }
        guard problems.isEmpty else {
            throw APIError(.unprocessableEntity, message: "Invalid post: " + problems.joined(separator: "; ") + ".")
        }
    }

    /// The keys that occur more than once at the top level of a JSON object already known to be valid.
    static func duplicateTopLevelKeys(_ json: Data) -> [String] {
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

    private static func text(_ value: JSONValue?, name: String, trim: Bool, max: Int, required: Bool, problems: inout [String]) -> String? {
        guard let value, value != .null else {
            if required || value == .null { problems.append("\(name) is required") }
            return nil
        }
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
}

/// Any JSON value, for checking a request body's shape before trusting it.
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
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

    var typeName: String {
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
