import Foundation

/// An API reference read from an OpenAPI 3 document, rendered as Markdown (`docs/API.md`) or as one
/// self-contained HTML page (`GET /docs`): every operation with its parameters and headers, request
/// body fields and their constraints, each response status with its error ids and an example body, and
/// a curl command. It knows OpenAPI and Pliny's error shape, nothing of any one app.
/// ```swift
/// let reference = try APIReference(document: schemaData)
/// print(reference.markdown())
/// ```
public struct APIReference: Sendable {
    /// One operation: a method on a path.
    public struct Operation: Sendable {
        /// `GET`, `POST`, ...
        public let method: String
        /// The path as the schema writes it, e.g. `/posts/{id}`.
        public let path: String
        /// The fragment id of its section, e.g. `get-posts-id`.
        public let anchor: String
        /// One line on what it does.
        public let summary: String
        /// Path, query and header parameters, the token first when it needs one.
        public let parameters: [Parameter]
        /// The JSON body's fields, if it takes one.
        public let body: [Field]?
        /// Every documented response.
        public let responses: [ResponseInfo]
        /// A command that calls it.
        public let curl: String
        /// The status that command gets: the operation's first success, on the server the examples describe.
        public let expectedStatus: String
    }

    /// A parameter or request header.
    public struct Parameter: Sendable {
        /// Its name.
        public let name: String
        /// `path`, `query` or `header`.
        public let location: String
        /// Whether it must be sent.
        public let required: Bool
        /// What it means.
        public let description: String
    }

    /// A field of a JSON body.
    public struct Field: Sendable {
        /// Its name.
        public let name: String
        /// Its JSON type.
        public let type: String
        /// Whether it must be present.
        public let required: Bool
        /// Lengths, ranges and formats, in words.
        public let constraints: String
        /// What it means.
        public let description: String
    }

    /// A documented response.
    public struct ResponseInfo: Sendable {
        /// The status code.
        public let status: String
        /// What it means.
        public let description: String
        /// The Pliny error ids it can carry (`not_found`, ...); empty for a success.
        public let errorIDs: [String]
        /// The headers it documents.
        public let headers: [String]
        /// An example body, or `nil` when it has none.
        public let example: String?
    }

    /// The API's title.
    public let title: String
    /// Its version.
    public let version: String
    /// What the document says of it.
    public let description: String
    /// Every operation, in the document's order.
    public let operations: [Operation]

    /// Reads `document` (OpenAPI 3 JSON); `baseURL` starts each curl command, and `examplePaths` gives a
    /// concrete path for a templated one (`"/posts/{id}": "/posts/dadf6879-…"`), so the examples work as written.
    public init(document: Data, baseURL: String = "http://localhost:5000", examplePaths: [String: String] = [:]) throws {
        let root = try OrderedJSON(parsing: document)
        let resolve = { (value: OrderedJSON) -> OrderedJSON in Self.resolve(value, in: root) }
        title = root["info"]?["title"]?.string ?? "API"
        version = root["info"]?["version"]?.scalarText ?? ""
        description = root["info"]?["description"]?.string ?? ""
        var operations: [Operation] = []
        for (path, item) in root["paths"]?.members ?? [] {
            let shared = (item["parameters"]?.elements ?? []).map(resolve)
            for (method, operation) in item.members where Self.methods.contains(method) {
                var parameters = (shared + (operation["parameters"]?.elements ?? []).map(resolve)).map {
                    Parameter(
                        name: $0["name"]?.string ?? "", location: $0["in"]?.string ?? "", required: $0["required"] == .bool(true),
                        description: $0["description"]?.string ?? "")
                }
                let secured = !(operation["security"]?.elements.isEmpty ?? true)
                if secured {
                    parameters.insert(
                        Parameter(name: "Authorization", location: "header", required: true, description: "`Bearer <API_TOKEN>`."), at: 0)
                }
                let bodySchema = operation["requestBody"].map(resolve)?["content"]?["application/json"]?["schema"].map(resolve)
                let responses = (operation["responses"]?.members ?? []).map { status, response in
                    Self.response(status: status, resolve(response), root: root)
                }
                let anchor = ([method] + path.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)).joined(separator: "-")
                operations.append(
                    Operation(
                        method: method.uppercased(), path: path, anchor: anchor.lowercased(), summary: operation["summary"]?.string ?? "",
                        parameters: parameters, body: bodySchema.map { Self.fields($0, root: root) }, responses: responses,
                        curl: Self.curl(
                            method: method, path: examplePaths[path] ?? path, baseURL: baseURL, secured: secured, body: bodySchema, root: root),
                        expectedStatus: responses.first { $0.status.hasPrefix("2") }?.status ?? responses.first?.status ?? ""))
            }
        }
        self.operations = operations
    }

    static let methods: Set<String> = ["get", "put", "post", "patch", "delete", "head", "options"]

    /// Pliny's error kinds, to name the id of each error status and give an example message.
    static let errorKinds: [APIError.Kind] = [
        .badRequest, .badVersion, .unauthorized, .forbidden, .notFound, .methodNotAllowed, .notAcceptable, .requestTimeout, .conflict,
        .preconditionFailed, .requestEntityTooLarge, .requestURITooLong, .unsupportedMediaType, .requestedRangeNotSatisfiable,
        .unprocessableEntity, .tooManyRequests, .requestHeaderFieldsTooLarge, .internalServerError, .requestTimedOut, .serviceUnavailable,
        .gatewayTimeout,
    ]

    private static func resolve(_ value: OrderedJSON, in root: OrderedJSON) -> OrderedJSON {
        guard let reference = value["$ref"]?.string, reference.hasPrefix("#/") else { return value }
        let target = reference.dropFirst(2).split(separator: "/").reduce(Optional(root)) { $0?[String($1)] }
        return target.map { resolve($0, in: root) } ?? value
    }

    private static func response(status: String, _ response: OrderedJSON, root: OrderedJSON) -> ResponseInfo {
        let description = response["description"]?.string ?? ""
        let headers = response["headers"]?.members.map(\.key) ?? []
        guard let code = Int(status), code >= 400 else {
            let schema = response["content"]?["application/json"]?["schema"].map { resolve($0, in: root) }
            return ResponseInfo(
                status: status, description: description, errorIDs: [], headers: headers, example: schema.map { Self.example($0, root: root) })
        }
        // The ids the description names in backticks, else the status's own.
        let named = description.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        var ids = named.filter { id in errorKinds.contains { $0.id == id } }
        if ids.isEmpty, let kind = errorKinds.first(where: { Int($0.status.code) == code }) { ids = [kind.id] }
        let kind = errorKinds.first { $0.id == ids.first && Int($0.status.code) == code } ?? errorKinds.first { $0.id == ids.first }
        let example = kind.map { #"{"id":"\#($0.id)","message":"\#($0.defaultMessage)"}"# }
        return ResponseInfo(status: status, description: description, errorIDs: ids, headers: headers, example: example)
    }

    private static func fields(_ schema: OrderedJSON, root: OrderedJSON) -> [Field] {
        let required = Set(schema["required"]?.elements.compactMap(\.string) ?? [])
        return schema["properties"]?.members.map { name, property in
            let property = resolve(property, in: root)
            var constraints: [String] = []
            if let low = property["minLength"]?.scalarText, let high = property["maxLength"]?.scalarText {
                constraints.append("\(low)–\(high) characters")
            } else if let high = property["maxLength"]?.scalarText {
                constraints.append("at most \(high) characters")
            }
            if let low = property["minimum"]?.scalarText { constraints.append("≥ \(low)") }
            if let high = property["maximum"]?.scalarText { constraints.append("≤ \(high)") }
            if let format = property["format"]?.string { constraints.append(format) }
            return Field(
                name: name, type: property["type"]?.string ?? "", required: required.contains(name), constraints: constraints.joined(separator: ", "),
                description: property["description"]?.string ?? "")
        } ?? []
    }

    /// A compact example value for `schema`.
    private static func example(_ schema: OrderedJSON, root: OrderedJSON) -> String {
        let schema = resolve(schema, in: root)
        if let example = schema["example"] { return render(example) }
        switch schema["type"]?.string {
        case "array": return "[" + (schema["items"].map { example($0, root: root) } ?? "") + "]"
        case "object":
            return "{" + (schema["properties"]?.members ?? []).map { "\"\($0.key)\":" + example($0.value, root: root) }.joined(separator: ",") + "}"
        case "integer", "number": return schema["minimum"]?.scalarText ?? "1"
        case "boolean": return "true"
        default:
            switch schema["format"]?.string {
            case "uuid": return "\"dadf6879-fed3-4b5f-8d4e-0ce894784ccf\""
            case "date-time": return "\"2015-03-01T12:00:52Z\""
            default: return "\"…\""
            }
        }
    }

    private static func render(_ value: OrderedJSON) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let text): text
        case .string(let text): String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
        case .array(let elements): "[" + elements.map(render).joined(separator: ",") + "]"
        case .object(let members): "{" + members.map { render(.string($0.key)) + ":" + render($0.value) }.joined(separator: ",") + "}"
        }
    }

    private static func curl(method: String, path: String, baseURL: String, secured: Bool, body: OrderedJSON?, root: OrderedJSON) -> String {
        var parts = ["curl -i"]
        if method != "get" { parts.append("-X \(method.uppercased())") }
        parts.append("'\(baseURL)\(path)'")
        if secured { parts.append("-H \"Authorization: Bearer $API_TOKEN\"") }
        if let body {
            let fields = (body["properties"]?.members ?? []).map { "\"\($0.key)\":\"Example \($0.key)\"" }
            parts.append("-H 'Content-Type: application/json' -d '{\(fields.joined(separator: ","))}'")
        }
        return parts.joined(separator: " ")
    }
}
