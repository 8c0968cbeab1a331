import Foundation

/// How each field type reads, writes, validates and is sampled in the generated code.
extension GenerateModel.Field {
    var isText: Bool { kind == .string || kind == .text }
    /// The type of the field in a row read in place.
    var rowType: String { isText ? "SQLText" : swiftType }
    /// The type in the `Fields` protocol.
    var fieldsType: String { isText ? "Text" : swiftType }
    /// `SQLRow`'s reader for the column.
    var rowRead: String {
        switch kind {
        case .string, .text: return "textView()"
        case .int: return "int()"
        case .bool: return "bool()"
        case .timestamp: return "timestamp()"
        case .uuid, .references: return "uuid()"
        }
    }
    /// `JSONWriter`'s method for the value.
    var writerCall: String {
        switch kind {
        case .string, .text: return "string"
        case .int: return "integer"
        case .bool: return "bool"
        case .timestamp: return "timestamp"
        case .uuid, .references: return "uuid"
        }
    }
    /// How the input reads the field from a JSON body.
    func inputRead(required: String) -> String {
        switch kind {
        case .string: return "input.text(\"\(column)\", trim: true, max: 200, required: \(required))"
        case .text: return "input.text(\"\(column)\", trim: false, max: 100_000, required: \(required))"
        case .int: return "input.integer(\"\(column)\", required: \(required))"
        case .bool: return "input.bool(\"\(column)\", required: \(required))"
        case .timestamp: return "input.timestamp(\"\(column)\", required: \(required))"
        case .uuid, .references: return "input.uuid(\"\(column)\", required: \(required))"
        }
    }
    /// The stand-in for a value validation guarantees is there.
    var absent: String {
        switch kind {
        case .string, .text: return "\"\""
        case .int: return "0"
        case .bool: return "false"
        case .timestamp: return "now"
        case .uuid, .references: return "UUID()"
        }
    }
    /// A Swift expression for the `index`th sample's value.
    var sample: String {
        switch kind {
        case .string, .text: return "\"\(Naming.type(column)) \\(index)\""
        case .int: return "index"
        case .bool: return "index % 2 == 0"
        case .timestamp: return "Timestamp(secondsSince1970: 1_600_000_000 + Int64(index))"
        case .uuid: return "UUID()"
        case .references: return property
        }
    }
    /// A value at the edge of what the field holds, as Swift.
    var edge: String? {
        switch kind {
        case .string: return "\"Zoë ✓ \\\"quoted\\\" \\\\ 😀 \" + String(repeating: \"x\", count: 189)"
        case .text: return "\"line 1\\nline 2\\t\\u{1}\" + String(repeating: \"é\", count: 1000)"
        case .int: return "-9_007_199_254_740_991"
        case .bool: return "true"
        case .timestamp: return "Timestamp(secondsSince1970: 253_402_300_799)"
        case .uuid, .references: return nil
        }
    }
    /// A valid JSON value, and the same as Swift.
    var example: (json: String, swift: String) {
        switch kind {
        case .string: return ("\"\(Naming.type(column)) one\"", "\"\(Naming.type(column)) one\"")
        case .text:
            return ("\"Some \(column.replacingOccurrences(of: "_", with: " ")).\"", "\"Some \(column.replacingOccurrences(of: "_", with: " ")).\"")
        case .int: return ("42", "42")
        case .bool: return ("true", "true")
        case .timestamp: return ("\"2015-03-01T12:00:52Z\"", "Timestamp(iso8601: \"2015-03-01T12:00:52Z\")")
        case .uuid, .references:
            return ("\"0d4f1b1e-8a8e-4c1e-9a37-5b2d7c5e9f10\"", "UUID(canonical: \"0d4f1b1e-8a8e-4c1e-9a37-5b2d7c5e9f10\")")
        }
    }
    /// A JSON value of the wrong type.
    var wrongJSON: String {
        switch kind {
        case .string, .text: return "5"
        case .int: return "\"many\""
        case .bool: return "\"yes\""
        case .timestamp: return "\"soon\""
        case .uuid, .references: return "\"nope\""
        }
    }
}

/// The store, serializer, mediators and endpoints of a resource.
extension GenerateModel {
    /// `widget` → `a widget`, `item` → `an item`.
    var article: String { "aeiou".contains(name.prefix(1)) ? "an" : "a" }

    var fieldsProtocol: String {
        var lines: [String] = []
        if fields.contains(where: \.isText) { lines.append("    associatedtype Text: UTF8Text") }
        lines += fields.map { "    var \($0.property): \($0.fieldsType) { get }" }
        lines.append("    var updatedAt: Timestamp { get }")
        return lines.joined(separator: "\n")
    }

    var columns: String { (["id"] + fields.map(\.column) + ["created_at", "updated_at"]).joined(separator: ", ") }

    var store: String {
        let parentTable = parent.map { Naming.plural($0.parent ?? "") } ?? ""
        let list: String
        let insert: String
        if let parent {
            list = """
                    /// Folds the \(table) of \(parent.parent ?? "") `\(parent.property)` that `query` selects into `state`,
                    /// each read in place; `nil` when there is no such \(parent.parent ?? "").
                    public func list<State: Sendable>(
                        \(parent.property): UUID, _ query: ListQuery, into state: State, _ step: @escaping @Sendable (inout State, \(type)Row) throws -> Void
                    ) async throws -> State? {
                        let sql = "SELECT \\(unescaped: Self.columns) FROM \(table) " + query.sql(scope: "\(parent.column) = \\(\(parent.property))")
                        let (result, found) = try await database.read("\(table).list", sql, into: (state, false)) {
                            try step(&$0.0, try Self.row(&$1))
                            $0.1 = true
                        }
                        if found { return result }
                        let parent = try await database.first("\(table).parent", "SELECT 1 FROM \(parentTable) WHERE id = \\(\(parent.property))") { try $0.int() }
                        return parent == nil ? nil : result
                    }
                """
            insert = """
                    /// Stores `\(name)` if its \(parent.parent ?? "") exists, in one statement; `false` when it does not.
                    public func insert(_ \(name): \(type)) async throws -> Bool {
                        let inserted = try await database.write(
                            "\(table).insert",
                            \"\"\"
                            INSERT INTO \(table) (\(columns))
                            SELECT \((["id"] + fields.map(\.property) + ["createdAt", "updatedAt"]).map { "\\(\(name).\($0))" }.joined(separator: ", "))
                            WHERE EXISTS (SELECT 1 FROM \(parentTable) WHERE id = \\(\(name).\(parent.property))) RETURNING id
                            \"\"\"
                        ) { try $0.uuid() }
                        return !inserted.isEmpty
                    }
                """
        } else {
            list = """
                    /// Folds the \(table) `query` selects into `state`, in order, each read in place.
                    public func list<State: Sendable>(
                        _ query: ListQuery, into state: State, _ step: @escaping @Sendable (inout State, \(type)Row) throws -> Void
                    ) async throws -> State {
                        try await database.read("\(table).list", "SELECT \\(unescaped: Self.columns) FROM \(table) " + query.sql(), into: state) {
                            try step(&$0, try Self.row(&$1))
                        }
                    }
                """
            insert = """
                    /// Stores `\(name)`.
                    public func insert(_ \(name): \(type)) async throws {
                        try await database.execute(
                            "\(table).insert",
                            \"\"\"
                            INSERT INTO \(table) (\(columns))
                            VALUES (\((["id"] + fields.map(\.property) + ["createdAt", "updatedAt"]).map { "\\(\(name).\($0))" }.joined(separator: ", ")))
                            \"\"\"
                        )
                    }
                """
        }
        let updateParameters =
            (["id: UUID"] + inputs.map { "\($0.property): \($0.swiftType)?" } + [
                "updatedAt: Timestamp", "precondition: WritePrecondition<\(type)>? = nil",
            ]).joined(separator: ", ")
        let sets = (inputs.map { "\($0.column) = COALESCE(\\(\($0.property)), \($0.column))" } + ["updated_at = \\(updatedAt)"]).joined(
            separator: ", ")
        let rowArguments =
            (["id: try row.uuid()"] + fields.map { "\($0.property): try row.\($0.rowRead)" } + [
                "createdAt: try row.timestamp()", "updatedAt: try row.timestamp()",
            ]).joined(separator: ", ")
        let rowFields = (["id: UUID"] + fields.map { "\($0.property): \($0.rowType)" } + ["createdAt: Timestamp", "updatedAt: Timestamp"])
            .joined(separator: ", ")
        let copies =
            (["id: row.id"] + fields.map { "\($0.property): row.\($0.property)\($0.isText ? ".string" : "")" } + [
                "createdAt: row.createdAt", "updatedAt: row.updatedAt",
            ]).joined(separator: ", ")
        return """
            import Foundation
            import PlinthCore
            import PlinthDatabase

            /// Where \(table) live: their SQL and their one row-mapping function, on the app's ``Database``.
            public struct \(type)Store: Sendable {
                /// The database.
                public let database: Database

                /// Creates the store.
                public init(database: Database) {
                    self.database = database
                }

            \(list)

                /// The \(name) with `id`, or `nil`.
                public func find(id: UUID) async throws -> \(type)? {
                    try await database.first("\(table).find", "SELECT \\(unescaped: Self.columns) FROM \(table) WHERE id = \\(id)", map: Self.model)
                }

            \(insert)

                /// Changes the given fields and `updatedAt` in one statement (`COALESCE` keeps the others);
                /// `nil` when there is no such \(name). A `precondition` sees the current \(name) first, atomically.
                public func update(
                    \(updateParameters)
                ) async throws -> \(type)? {
                    try await database.write(
                        "\(table).update",
                        \"\"\"
                        UPDATE \(table) SET \(sets)
                        WHERE id = \\(id) RETURNING \\(unescaped: Self.columns)
                        \"\"\",
                        lockingFirst: "SELECT \\(unescaped: Self.columns) FROM \(table) WHERE id = \\(id)", precondition: precondition, map: Self.model)
                }

                /// Removes and returns the \(name) with `id`, or `nil`.
                public func delete(id: UUID, precondition: WritePrecondition<\(type)>? = nil) async throws -> \(type)? {
                    try await database.write(
                        "\(table).delete", "DELETE FROM \(table) WHERE id = \\(id) RETURNING \\(unescaped: Self.columns)",
                        lockingFirst: "SELECT \\(unescaped: Self.columns) FROM \(table) WHERE id = \\(id)", precondition: precondition, map: Self.model)
                }

                static let columns = "\(columns)"

                @Sendable static func model(_ row: inout SQLRow) throws -> \(type) { \(type)(try Self.row(&row)) }

                /// The one place a row is mapped, in ``columns``' order.
                static func row(_ row: inout SQLRow) throws -> \(type)Row {
                    \(type)Row(\(rowArguments))
                }
            }

            /// \(article.prefix(1).uppercased() + article.dropFirst()) \(name)'s row read in place, valid only inside the step it is handed to.
            public struct \(type)Row: \(type)Fields {
                public let \(rowFields)
            }

            extension \(type) {
                /// A copy of `row` as a model.
                public init(_ row: \(type)Row) {
                    self.init(\(copies))
                }
            }

            """
    }

    var serializer: String {
        let keys = (["id"] + fields.map(\.column) + ["created_at", "updated_at"]).map { "\"\($0)\"" }.joined(separator: ",")
        let writes = fields.map { "        writer.key(\"\($0.column)\")\n        writer.\($0.writerCall)(\(name).\($0.property))" }
        return """
            import NIOCore
            import PlinthCore

            /// The wire format of \(article) \(name): `{\(keys)}`.
            public enum \(type)Serializer {
                /// One \(name) as a JSON object.
                @Sendable public static func serialize(_ \(name): \(type), pretty: Bool) -> ByteBuffer {
                    var writer = JSONWriter(buffer: ByteBuffer(), pretty: pretty)
                    write(\(name), to: &writer)
                    return writer.buffer
                }

                /// Writes one \(name), a model or a row read in place, as a JSON object.
                public static func write(_ \(name): some \(type)Fields, to writer: inout JSONWriter) {
                    writer.beginObject()
                    writer.key("id")
                    writer.uuid(\(name).id)
            \(writes.joined(separator: "\n"))
                    writer.key("created_at")
                    writer.timestamp(\(name).createdAt)
                    writer.key("updated_at")
                    writer.timestamp(\(name).updatedAt)
                    writer.endObject()
                }
            }

            """
    }

    var input: String {
        let names = inputs.map(\.column)
        let allowed = names.map { "\"\($0)\"" }.joined(separator: ", ")
        let example = "{" + inputs.map { "\"\($0.column)\": \($0.example.json)" }.joined(separator: ", ") + "}"
        let rules = inputs.map { "`\($0.column)` \($0.meaning)" }.joined(separator: ", ")
        let nothing = names.count == 1 ? names[0] : "at least one of " + names.joined(separator: ", ")
        return """
            import Foundation
            import PlinthCore

            /// The fields a client may send for \(article) \(name): \(rules); any other field refused by name.
            public struct \(type)Input: Sendable, Equatable {
            \(inputs.map { "    /// `\($0.column)`, if given.\n    public var \($0.property): \($0.swiftType)?" }.joined(separator: "\n"))

                /// Parses a JSON body: 400 when it is not JSON, 422 naming each invalid field. With
                /// `requireAll` (create) every field must be present; otherwise at least one.
                public init(json: Data, requireAll: Bool) throws {
                    var input = try JSONInput(json: json, allowed: [\(allowed)], example: #"\(example)"#)
            \(inputs.map { "        \($0.property) = \($0.inputRead(required: "requireAll"))" }.joined(separator: "\n"))
                    if !requireAll, input.problems.isEmpty, \(inputs.map { "\($0.property) == nil" }.joined(separator: ", ")) {
                        input.problems.append("nothing to update: send \(nothing)")
                    }
                    try input.finish(resource: "\(name)")
                }
            }

            """
    }

    func mediatorHeader(_ summary: String) -> String {
        """
        import Foundation
        import PlinthCore

        /// \(summary)
        """
    }

    var create: String {
        let arguments =
            (["id: UUID.random()"]
            + fields.map { field in
                field.kind == .references ? "\(field.property): \(field.property)" : "\(field.property): input.\(field.property) ?? \(field.absent)"
            } + ["createdAt: now", "updatedAt: now"]).joined(separator: ", ")
        let call: String
        if let parent {
            call = """
                    /// Stores and returns the new \(name); 404 when the \(parent.parent ?? "") does not exist.
                    public func call(\(parent.property): UUID, _ input: \(type)Input, now: Timestamp = .now()) async throws -> \(type) {
                        let \(name) = \(type)(\(arguments))
                        guard try await store.insert(\(name)) else {
                            throw APIError(.notFound, message: "No \(parent.parent ?? "") with id \\(\(parent.property).lowercasedString).")
                        }
                        return \(name)
                    }
                """
        } else {
            call = """
                    /// Stores and returns the new \(name).
                    public func call(_ input: \(type)Input, now: Timestamp = .now()) async throws -> \(type) {
                        let \(name) = \(type)(\(arguments))
                        try await store.insert(\(name))
                        return \(name)
                    }
                """
        }
        return mediatorHeader("Creates \(article) \(name) from validated input: a fresh id, both timestamps now.") + """

            public struct Create\(type): Sendable {
                /// Where the \(name) goes.
                public let store: \(type)Store

                /// Creates the mediator.
                public init(store: \(type)Store) {
                    self.store = store
                }

            \(call)
            }

            """
    }

    var update: String {
        let changes = inputs.map { "\($0.property): input.\($0.property)" }.joined(separator: ", ")
        return mediatorHeader("Changes the given fields of \(article) \(name) and moves its `updated_at`.") + """

            public struct Update\(type): Sendable {
                /// Where the \(name) lives.
                public let store: \(type)Store

                /// Creates the mediator.
                public init(store: \(type)Store) {
                    self.store = store
                }

                /// Returns the updated \(name); 404 when there is none. `precondition` sees it first, atomically.
                public func call(id: UUID, _ input: \(type)Input, precondition: WritePrecondition<\(type)>? = nil, now: Timestamp = .now()) async throws
                    -> \(type)
                {
                    guard let \(name) = try await store.update(id: id, \(changes), updatedAt: now, precondition: precondition) else {
                        throw APIError(.notFound, message: "No \(name) with id \\(id.lowercasedString).")
                    }
                    return \(name)
                }
            }

            """
    }

    var destroy: String {
        mediatorHeader("Deletes \(article) \(name) and returns it.") + """

            public struct Destroy\(type): Sendable {
                /// Where the \(name) lives.
                public let store: \(type)Store

                /// Creates the mediator.
                public init(store: \(type)Store) {
                    self.store = store
                }

                /// Returns the deleted \(name); 404 when there is none. `precondition` is checked as for ``Update\(type)``.
                public func call(id: UUID, precondition: WritePrecondition<\(type)>? = nil) async throws -> \(type) {
                    guard let \(name) = try await store.delete(id: id, precondition: precondition) else {
                        throw APIError(.notFound, message: "No \(name) with id \\(id.lowercasedString).")
                    }
                    return \(name)
                }
            }

            """
    }

    /// `/widgets`, or `/widgets/:id/parts` for a nested resource.
    var collectionPath: String { parent.map { "/\(Naming.plural($0.parent ?? ""))/:id/\(table)" } ?? "/\(table)" }

    var endpoints: String {
        let endpointsType = Naming.type(table) + "Endpoints"
        let list: String
        let create: String
        if let parent {
            let noun = parent.parent ?? ""
            list = """
                    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
                        let \(parent.property) = try resource.id(context, noun: "\(noun)")
                        let key = "\(table)|\\(\(parent.property).lowercasedString)"
                        return try await resource.page(request, context, cacheKey: key, noun: "\(name)") { [store] query, page in
                            guard let page = try await store.list(\(parent.property): \(parent.property), query, into: page, { $0.append($1, \(type)Serializer.write) })
                            else { throw APIError(.notFound, message: "No \(noun) with id \\(\(parent.property).lowercasedString).") }
                            return page
                        }
                    }
                """
            create = """
                    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
                        let body = try await resource.body(request)
                        let \(parent.property) = try resource.id(context, noun: "\(noun)")
                        let \(name) = try await Create\(type)(store: store).call(\(parent.property): \(parent.property), try \(type)Input(json: body, requireAll: true))
                        return resource.written(request, context, status: .created, headers: [.location: "/\(table)/\\(\(name).id.lowercasedString)"]) {
                            \(type)Serializer.serialize(\(name), pretty: $0)
                        }
                    }
                """
        } else {
            list = """
                    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
                        try await resource.page(request, context, cacheKey: "\(table)", noun: "\(name)") { [store] query, page in
                            try await store.list(query, into: page) { $0.append($1, \(type)Serializer.write) }
                        }
                    }
                """
            create = """
                    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
                        let body = try await resource.body(request)
                        let \(name) = try await Create\(type)(store: store).call(try \(type)Input(json: body, requireAll: true))
                        return resource.written(request, context, status: .created, headers: [.location: "/\(table)/\\(\(name).id.lowercasedString)"]) {
                            \(type)Serializer.serialize(\(name), pretty: $0)
                        }
                    }
                """
        }
        return """
            import Foundation
            import Hummingbird
            import NIOCore
            import Plinth
            import PlinthCore
            import \(app.module)Core

            /// `\(collectionPath)` (list, create) and `/\(table)/:id` (show, update, delete).
            public struct \(endpointsType): Sendable {
                let store: \(type)Store
                let resource: ResourceEndpoints

                /// Creates the endpoints.
                public init(store: \(type)Store, resource: ResourceEndpoints) {
                    self.store = store
                    self.resource = resource
                }

                /// Adds the routes to `router`.
                public func addRoutes(to router: Router<AppRequestContext>) {
                    router.get("\(collectionPath)", use: list)
                    router.post("\(collectionPath)", use: create)
                    router.get("/\(table)/:id", use: show)
                    router.patch("/\(table)/:id", use: update)
                    router.delete("/\(table)/:id", use: destroy)
                }

            \(list)

            \(create)

                @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
                    let id = try resource.id(context, noun: "\(name)")
                    guard let \(name) = try await store.find(id: id) else { throw APIError(.notFound, message: "No \(name) with id \\(id.lowercasedString).") }
                    return resource.show(request, context) { \(type)Serializer.serialize(\(name), pretty: $0) }
                }

                @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
                    let body = try await resource.body(request)
                    let id = try resource.id(context, noun: "\(name)")
                    let input = try \(type)Input(json: body, requireAll: false)
                    let \(name) = try await Update\(type)(store: store).call(id: id, input, precondition: resource.ifMatch(request, \(type)Serializer.serialize))
                    return resource.written(request, context) { \(type)Serializer.serialize(\(name), pretty: $0) }
                }

                @Sendable func destroy(_ request: Request, context: AppRequestContext) async throws -> Response {
                    try resource.token.authorize(request)
                    let id = try resource.id(context, noun: "\(name)")
                    let \(name) = try await Destroy\(type)(store: store).call(id: id, precondition: resource.ifMatch(request, \(type)Serializer.serialize))
                    return resource.deleted(request, context) { \(type)Serializer.serialize(\(name), pretty: $0) }
                }
            }

            """
    }
}
