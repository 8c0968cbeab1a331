import Foundation
import PlinthCore

/// The resource's entries in the app's OpenAPI document.
extension GenerateModel.Field {
    /// The field's JSON Schema, as the input checks it.
    var schema: String {
        let description = "\"description\": \"\(meaning.prefix(1).uppercased() + meaning.dropFirst()).\""
        switch kind {
        case .string: return ##"{"type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S", \##(description)}"##
        case .text: return ##"{"type": "string", "minLength": 1, "maxLength": 100000, \##(description)}"##
        case .int: return ##"{"type": "integer", "minimum": -9007199254740991, "maximum": 9007199254740991, \##(description)}"##
        case .bool: return ##"{"type": "boolean", \##(description)}"##
        case .timestamp: return ##"{"type": "string", "format": "date-time", \##(description)}"##
        case .uuid, .references: return ##"{"type": "string", "format": "uuid", \##(description)}"##
        }
    }
}

extension GenerateModel {
    static func error(_ status: String, _ description: String) -> String {
        ##""\##(status)": {"description": "\##(description)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}"##
    }

    static let commonErrors = [
        error("405", "Method not allowed (`Allow` lists the methods)."),
        error("500", "Unexpected error (`internal_server_error`), no internals shown."),
        error("503", "Timed out (`request_timeout`) or the database is unavailable (`service_unavailable`, with `Retry-After`)."),
    ].joined(separator: ", ")

    static let writeErrors = [
        error("400", "Malformed JSON (`bad_request`)."),
        error("401", "Missing or wrong bearer token (`unauthorized`)."),
        error("413", "Body over 1 MiB (`payload_too_large`)."),
        error("415", "Not `application/json` (`unsupported_media_type`)."),
        error("422", "Invalid fields (`unprocessable_entity`), each named in the message."),
    ].joined(separator: ", ")

    static let idParameter =
        ##"{"name": "id", "in": "path", "required": true, "description": "The UUID. A malformed id is 404.", "schema": {"type": "string"}}"##
    static let headers = ##""Request-Id": {"$ref": "#/components/headers/Request-Id"}, "ETag": {"$ref": "#/components/headers/ETag"}"##

    func body(_ schema: String, status: String, _ description: String, extraHeaders: String = "") -> String {
        ##""\##(status)": {"description": "\##(description)", "headers": {\##(Self.headers)\##(extraHeaders)}, "content": {"application/json": {"schema": \##(schema)}}}"##
    }

    var reference: String { ##"{"$ref": "#/components/schemas/\##(type)"}"## }

    /// `/widgets` (or `/widgets/{id}/parts`) and `/widgets/{id}`, as OpenAPI path items.
    var schemaPaths: [(String, String)] {
        let plural = Naming.type(table)
        let notFound = Self.error("404", parentNames.map { "No such \($0.name) (`not_found`); also for a malformed id." } ?? "Unused.")
        let array = ##"{"type": "array", "items": \##(reference)}"##
        let range =
            ##"{"name": "Range", "in": "header", "required": false, "description": "`created_at ..; max=200` (default) or `id ..; max=N`, optional start/end values, `order=desc`; `max` is capped at 1000. A start prefixed with `]` is exclusive.", "schema": {"type": "string"}}"##
        let secured = ##""security": [{"bearer": []}]"##
        let notModified = ##""304": {"description": "Not modified (`If-None-Match` named the current ETag).", "headers": {\##(Self.headers)}}"##
        let rangeError = Self.error("416", "Malformed Range header (`requested_range_not_satisfiable`).")
        let nextRange = ##", "Next-Range": {"description": "The Range header for the next page.", "schema": {"type": "string"}}"##
        let location = ##", "Location": {"description": "/\##(table)/{id}", "schema": {"type": "string"}}"##
        let createBody =
            ##""requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/\##(type)Create"}}}}"##
        let updateBody =
            ##""requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/\##(type)Update"}}}}"##
        let ifMatch = ##"{"$ref": "#/components/parameters/If-Match"}"##
        let ifNoneMatch = ##"{"$ref": "#/components/parameters/If-None-Match"}"##
        let itemNotFound = Self.error("404", "No such \(name) (`not_found`); also for a malformed id.")
        let preconditionFailed = Self.error("412", "`If-Match` named none of the current ETags (`precondition_failed`).")
        let collectionErrors = parent == nil ? Self.commonErrors : notFound + ", " + Self.commonErrors
        let collectionParameters =
            parent == nil
            ? "" : ##""parameters": [\##(Self.idParameter.replacingOccurrences(of: "The UUID", with: "The \(parentNames?.name ?? "")'s UUID"))], "##
        let collection = """
            {\(collectionParameters)"get": {"operationId": "list\(plural)", "summary": "\(parentNames.map { "A \($0.name)'s \(table)" } ?? "The \(table)"), ordered by created_at, id; Range pagination.", "parameters": [\(range), \(ifNoneMatch)], "responses": {\(body(array, status: "200", "All \(table) in the range.")), \(body(array, status: "206", "One page; more remain.", extraHeaders: nextRange)), \(notModified), \(rangeError), \(collectionErrors)}},
             "post": {"operationId": "create\(type)", "summary": "Create \(article) \(name).", \(secured), \(createBody), "responses": {\(body(reference, status: "201", "The created \(name).", extraHeaders: location)), \(Self.writeErrors), \(collectionErrors)}}}
            """
        let item = """
            {"parameters": [\(Self.idParameter)],
             "get": {"operationId": "show\(type)", "summary": "One \(name).", "parameters": [\(ifNoneMatch)], "responses": {\(body(reference, status: "200", "The \(name).")), \(notModified), \(itemNotFound), \(Self.commonErrors)}},
             "patch": {"operationId": "update\(type)", "summary": "Change some of \(article) \(name)'s fields.", \(secured), "parameters": [\(ifMatch)], \(updateBody), "responses": {\(body(reference, status: "200", "The updated \(name).")), \(Self.writeErrors), \(itemNotFound), \(preconditionFailed), \(Self.commonErrors)}},
             "delete": {"operationId": "delete\(type)", "summary": "Delete \(article) \(name)\(parentNames == nil ? "" : "").", \(secured), "parameters": [\(ifMatch)], "responses": {"200": {"description": "The deleted \(name), as it was.", "headers": {"Request-Id": {"$ref": "#/components/headers/Request-Id"}}, "content": {"application/json": {"schema": \(reference)}}}, \(Self.error("401", "Missing or wrong bearer token (`unauthorized`).")), \(itemNotFound), \(preconditionFailed), \(Self.commonErrors)}}}
            """
        let collectionPath = parentNames.map { "/\(Naming.plural($0.name))/{id}/\(table)" } ?? "/\(table)"
        return [(collectionPath, collection), ("/\(table)/{id}", item)]
    }

    /// `Widget`, `WidgetCreate` and `WidgetUpdate`.
    var schemaComponents: [(String, String)] {
        let all = (["id"] + fields.map(\.column) + ["created_at", "updated_at"]).map { "\"\($0)\"" }.joined(separator: ", ")
        let properties =
            ([##""id": {"type": "string", "format": "uuid"}"##] + fields.map { "\"\($0.column)\": \($0.schema)" } + [
                ##""created_at": {"type": "string", "format": "date-time"}"##, ##""updated_at": {"type": "string", "format": "date-time"}"##,
            ]).joined(separator: ", ")
        let inputProperties = inputs.map { "\"\($0.column)\": \($0.schema)" }.joined(separator: ", ")
        let required = inputs.map { "\"\($0.column)\"" }.joined(separator: ", ")
        return [
            (type, ##"{"type": "object", "additionalProperties": false, "required": [\##(all)], "properties": {\##(properties)}}"##),
            (
                "\(type)Create",
                ##"{"type": "object", "additionalProperties": false, "required": [\##(required)], "properties": {\##(inputProperties)}}"##
            ),
            ("\(type)Update", ##"{"type": "object", "additionalProperties": false, "minProperties": 1, "properties": {\##(inputProperties)}}"##),
        ]
    }

    /// `document` (the app's `schema.json`) with this resource's paths and schemas, and the
    /// `If-Match` parameter they use; throws ``GeneratorError`` when it is not a JSON object.
    func schemaAdding(to document: String) throws -> String {
        guard let parsed = try? OrderedJSON(parsing: Data(document.utf8)), case .object = parsed else {
            throw GeneratorError("schema.json is not a JSON object; nothing written")
        }
        func parse(_ text: String) throws -> OrderedJSON {
            do { return try OrderedJSON(parsing: Data(text.utf8)) } catch {
                throw GeneratorError("internal: a generated schema entry is not JSON (\(error))")
            }
        }
        var paths = parsed["paths"] ?? .object([])
        // New paths go before the service's own (health, schema, metrics), as in the posts app.
        var members = paths.members.filter { member in !schemaPaths.contains { $0.0 == member.key } }
        let firstService = members.firstIndex { ["/health", "/health/db", "/schema.json", "/docs", "/metrics"].contains($0.key) } ?? members.count
        members.insert(contentsOf: try schemaPaths.map { ($0.0, try parse($0.1)) }, at: firstService)
        paths = .object(members)
        var components = parsed["components"] ?? .object([])
        var schemas = components["schemas"] ?? .object([])
        for (key, text) in schemaComponents { schemas = schemas.setting(key, to: try parse(text)) }
        components = components.setting("schemas", to: schemas)
        var parameters = components["parameters"] ?? .object([])
        if parameters["If-Match"] == nil {
            let ifMatch =
                ##"{"name": "If-Match", "in": "header", "required": false, "description": "ETags of the current representation (compact or pretty); 412 when none matches.", "schema": {"type": "string"}}"##
            parameters = parameters.setting("If-Match", to: try parse(ifMatch))
        }
        components = components.setting("parameters", to: parameters)
        return parsed.setting("paths", to: paths).setting("components", to: components).indentedText
    }
}
