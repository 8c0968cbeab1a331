import Foundation

/// `plinth generate model NAME field:type...`: the model and the migrations that create its table
/// (SQLite and PostgreSQL, up and down) and its change notifications, listed in `AppMigrations`.
/// ```swift
/// try GenerateModel(name: "widget", fields: ["name:string", "size:int"], app: app, now: Date()).write()
/// ```
public struct GenerateModel: Sendable {
    /// What a generator writes; `scaffold` is all of them.
    public enum Part: String, Sendable, CaseIterable {
        /// The model, its store and the migrations creating its table, with the store's tests.
        case model
        /// The serializer (the wire format), with its test.
        case serializer
        /// The input (validation) and the create, update and destroy mediators.
        case mediator
        /// The endpoints, their routes and `schema.json` entries, with the endpoint tests.
        case endpoint
    }

    /// One column.
    public struct Field: Sendable, Equatable {
        /// A field's type and how each side stores it.
        public enum Kind: String, Sendable, CaseIterable {
            case string, text, int, bool, timestamp, uuid, references
        }

        /// `size`, or `widget_id` for `widget:references`.
        public let column: String
        /// The Swift property: `size`, `widgetID`.
        public let property: String
        /// The type.
        public let kind: Kind
        /// The parent resource of a reference (`widget`).
        public let parent: String?

        var swiftType: String {
            switch kind {
            case .string, .text: return "String"
            case .int: return "Int"
            case .bool: return "Bool"
            case .timestamp: return "Timestamp"
            case .uuid, .references: return "UUID"
            }
        }

        var sqlite: String {
            switch kind {
            case .string, .text: return "\(column) TEXT NOT NULL"
            case .int: return "\(column) INTEGER NOT NULL"
            case .bool: return "\(column) INTEGER NOT NULL CHECK (\(column) IN (0, 1))"
            case .timestamp: return "\(column) TEXT NOT NULL CHECK (length(\(column)) = 20)"
            case .uuid: return "\(column) TEXT NOT NULL CHECK (length(\(column)) = 36)"
            case .references:
                return "\(column) TEXT NOT NULL REFERENCES \(Naming.plural(parent ?? "")) (id) ON DELETE CASCADE"
            }
        }

        var postgres: String {
            switch kind {
            case .string, .text: return "\(column) text NOT NULL"
            case .int: return "\(column) bigint NOT NULL"
            case .bool: return "\(column) boolean NOT NULL"
            case .timestamp: return "\(column) timestamptz NOT NULL"
            case .uuid: return "\(column) uuid NOT NULL"
            case .references: return "\(column) uuid NOT NULL REFERENCES \(Naming.plural(parent ?? "")) (id) ON DELETE CASCADE"
            }
        }

        var meaning: String {
            switch kind {
            case .string: return "1–200 characters"
            case .text: return "1–100,000 characters"
            case .int: return "an integer"
            case .bool: return "true or false"
            case .timestamp: return "a UTC time, to the second"
            case .uuid: return "a UUID"
            case .references: return "the \(parent ?? "") it belongs to (deleted with it)"
            }
        }

        /// Parses `name:type`.
        init(_ text: String) throws {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { throw GeneratorError("\"\(text.prefix(60))\" is not a field: use name:type (e.g. size:int)") }
            guard let kind = Kind(rawValue: parts[1]) else {
                throw GeneratorError(
                    "\"\(parts[1].prefix(30))\" is not a field type: use \(Kind.allCases.map(\.rawValue).joined(separator: ", ")) (e.g. size:int, widget:references)"
                )
            }
            let name = parts[0]
            guard Naming.isSnakeCase(name), name.count <= 60 else {
                throw GeneratorError("\"\(name.prefix(60))\" is not a field name: use lowercase words joined by _ (e.g. unit_price)")
            }
            self.kind = kind
            if kind == .references {
                guard Naming.isWord(name) else {
                    throw GeneratorError("\"\(name)\" is not a resource to reference: use its model's name (e.g. widget)")
                }
                parent = name
                column = name + "_id"
                property = Naming.camel(name) + "ID"
            } else {
                parent = nil
                column = name
                property = Naming.camel(name)
            }
            guard !["id", "created_at", "updated_at"].contains(column), !AppName.reserved.contains(property.lowercased()) else {
                throw GeneratorError("\"\(name)\" cannot name a field: it is a Swift keyword or a column every model has")
            }
        }
    }

    /// `widget`.
    public let name: String
    /// `Widget`.
    public let type: String
    /// `widgets`.
    public let table: String
    /// The columns besides `id`, `created_at` and `updated_at`.
    public let fields: [Field]
    /// The app it goes in.
    public let app: AppDirectory
    /// The create migration's id; the notification trigger's is one second later.
    public let id: String
    /// Replace existing files.
    public let force: Bool
    /// What to write.
    public let parts: [Part]

    /// The field naming the resource this one nests under (`widget:references`), if any.
    var parent: Field? { fields.first { $0.kind == .references } }
    /// The fields a client sends: all but the parent, which the path names.
    var inputs: [Field] { fields.filter { $0.kind != .references } }

    /// Checks the name and fields; throws ``GeneratorError``.
    public init(name: String, fields: [String], app: AppDirectory, now: Date, force: Bool = false, parts: [Part] = [.model]) throws {
        guard Naming.isWord(name), name.count <= 40, !AppName.reserved.contains(name) else {
            throw GeneratorError(
                "\"\(name.prefix(40))\" is not a model name: use a lowercase letter, then lowercase letters and digits (e.g. widget)")
        }
        guard !fields.isEmpty else { throw GeneratorError("give the model at least one field, name:type (e.g. \(name) label:string)") }
        let parsed = try fields.map(Field.init)
        var seen: Set<String> = []
        for field in parsed where !seen.insert(field.column).inserted { throw GeneratorError("the field \(field.column) is given twice") }
        guard parsed.filter({ $0.kind == .references }).count <= 1 else {
            throw GeneratorError("a resource nests under one parent: give one name:references field")
        }
        guard parts.allSatisfy({ $0 == .model || $0 == .serializer }) || parsed.contains(where: { $0.kind != .references }) else {
            throw GeneratorError("give at least one field besides the reference, for clients to send (e.g. label:string)")
        }
        for field in parsed {
            guard let parent = field.parent else { continue }
            guard parent != name else { throw GeneratorError("a model cannot reference itself (\(parent):references)") }
            let model = app.models.appendingPathComponent(Naming.type(parent) + ".swift")
            guard FileManager.default.fileExists(atPath: model.path) else {
                throw GeneratorError("no \(parent) model to reference (\(model.path)); generate it first")
            }
        }
        self.name = name
        self.type = Naming.type(name)
        self.table = Naming.plural(name)
        self.fields = parsed
        self.app = app
        self.id = Migrations.nextID("create_\(Naming.plural(name))", in: app.migrations, now: now)
        self.force = force
        self.parts = parts
    }

    /// `Sources/<App>Core/Models/Widget.swift`.
    public var modelFile: URL { app.models.appendingPathComponent(type + ".swift") }
    /// `Sources/<App>Core/Migrations/CreateWidgets.swift`.
    public var migrationFile: URL { app.migrations.appendingPathComponent("Create\(Naming.type(table)).swift") }

    /// Every file the parts write, with its text.
    func files() throws -> [(URL, String)] {
        var files: [(URL, String)] = []
        let core = app.root.appendingPathComponent("Sources/\(app.module)Core")
        let tests = app.root.appendingPathComponent("Tests/\(app.module)Tests")
        for part in parts {
            switch part {
            case .model:
                files += [(modelFile, model), (migrationFile, migration(create: createName, notify: notifyName))]
                files.append((core.appendingPathComponent("Stores/\(type)Store.swift"), store))
                files.append((tests.appendingPathComponent("Samples/\(type)+Sample.swift"), sample))
                files.append((tests.appendingPathComponent("\(type)StoreTests.swift"), storeTests))
            case .serializer:
                files.append((core.appendingPathComponent("Serializers/\(type)Serializer.swift"), serializer))
                files.append((tests.appendingPathComponent("\(type)SerializerTests.swift"), serializerTests))
            case .mediator:
                files.append((core.appendingPathComponent("Mediators/\(type)Input.swift"), input))
                for (verb, text) in [("Create", create), ("Update", update), ("Destroy", destroy)] {
                    files.append((core.appendingPathComponent("Mediators/\(verb)\(type).swift"), text))
                }
            case .endpoint:
                files.append((endpointsFile, endpoints))
                files.append((tests.appendingPathComponent("\(Naming.type(table))EndpointsTests.swift"), endpointTests))
            }
        }
        return files.map { ($0.0, NewApp.sortingImports($0.1)) }
    }

    var createName: String { "create" + Naming.type(table) }
    var notifyName: String { "notify" + type + "Changes" }
    /// `Sources/<App>/Endpoints/WidgetsEndpoints.swift`.
    var endpointsFile: URL { app.root.appendingPathComponent("Sources/\(app.module)/Endpoints/\(Naming.type(table))Endpoints.swift") }

    /// Writes the parts' files and lists them where the app lists things (migrations, tables,
    /// routes, `schema.json`); changes nothing when a file exists (without `force`) or on a failure.
    /// Returns the files written.
    @discardableResult
    public func write() throws -> [URL] {
        let manager = FileManager.default
        let files = try files()
        for (file, _) in files where manager.fileExists(atPath: file.path) && !force {
            throw GeneratorError("\(file.path) already exists; nothing written (--force replaces it)")
        }
        var edits: [(URL, old: String, new: String)] = []
        if parts.contains(.model) {
            let list = app.migrations.appendingPathComponent("AppMigrations.swift")
            let listed = try String(contentsOf: list, encoding: .utf8)
            var updated = listed
            for entry in [createName, notifyName] { updated = Migrations.listing(entry, marker: Migrations.migrationsMarker, in: updated) ?? updated }
            updated = Migrations.listing("\"\(table)\"", marker: Migrations.tablesMarker, in: updated) ?? updated
            guard updated.contains(Migrations.migrationsMarker), updated.contains(Migrations.tablesMarker) else {
                throw GeneratorError("\(list.path) has no \"// plinth: migrations\" and \"// plinth: tables\" lines; nothing written")
            }
            edits.append((list, listed, updated))
        }
        if parts.contains(.endpoint) {
            let routes = app.root.appendingPathComponent("Sources/\(app.module)/Routes.swift")
            let text = (try? String(contentsOf: routes, encoding: .utf8)) ?? ""
            guard text.contains(Self.routesMarker) else {
                throw GeneratorError(
                    "\(routes.path) has no \"\(Self.routesMarker.trimmingCharacters(in: .whitespaces))\" line; add this line where routes are registered, then run again: \(routeLine)"
                )
            }
            let line = "    " + routeLine
            let updated = text.contains(line) ? text : text.replacingOccurrences(of: Self.routesMarker, with: line + "\n" + Self.routesMarker)
            edits.append((routes, text, updated))
            let schema = app.root.appendingPathComponent("Sources/\(app.module)/Resources/schema.json")
            let document = try String(contentsOf: schema, encoding: .utf8)
            edits.append((schema, document, try schemaAdding(to: document)))
        }
        var written: [URL] = []
        do {
            for (file, text) in files {
                try manager.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                if !manager.fileExists(atPath: file.path) { written.append(file) }
                try Data(text.utf8).write(to: file)
            }
            for (file, old, new) in edits where old != new { try Data(new.utf8).write(to: file) }
        } catch {
            for file in written { try? manager.removeItem(at: file) }
            for (file, old, _) in edits { try? Data(old.utf8).write(to: file) }
            throw GeneratorError("cannot write the \(name) \(parts.count > 1 ? "scaffold" : parts[0].rawValue): \(error.localizedDescription)")
        }
        Self.format(files.map(\.0) + edits.map(\.0), app: app)
        return files.map(\.0)
    }

    /// Lays the written Swift out as `swift format` does with the app's `.swift-format` (line
    /// breaks depend on the names and fields given); the code compiles either way, so a machine
    /// without `swift format` keeps the files as written.
    static func format(_ files: [URL], app: AppDirectory) {
        let swift = files.filter { $0.pathExtension == "swift" }.map(\.path)
        guard !swift.isEmpty else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "format", "format", "-i", "--configuration", app.root.appendingPathComponent(".swift-format").path] + swift
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            return
        }
    }

    /// The line in `Routes.swift` new resources' routes are added before.
    static let routesMarker = "    // plinth: resource routes"
    /// The line that registers this resource's routes.
    var routeLine: String { "\(Naming.type(table))Endpoints(store: \(type)Store(database: database), resource: resource).addRoutes(to: router)" }

    var model: String {
        let properties = fields.map {
            "    /// \($0.meaning.prefix(1).uppercased() + $0.meaning.dropFirst()).\n    public var \($0.property): \($0.swiftType)"
        }
        let parameters = (["id: UUID"] + fields.map { "\($0.property): \($0.swiftType)" } + ["createdAt: Timestamp", "updatedAt: Timestamp"])
        let assigned = ["id"] + fields.map(\.property) + ["createdAt", "updatedAt"]
        return """
            import Foundation
            import PlinthCore

            /// A \(name), as stored in `\(table)`.
            public struct \(type): ListItem, Sendable, Equatable {
                /// Its UUID.
                public var id: UUID
            \(properties.joined(separator: "\n"))
                /// When it was created (UTC, to the second).
                public var createdAt: Timestamp
                /// When it last changed.
                public var updatedAt: Timestamp

                /// Creates a \(name).
                public init(
                    \(parameters.joined(separator: ", "))
                ) {
            \(assigned.map { "        self.\($0) = \($0)" }.joined(separator: "\n"))
                }
            }

            /// What the \(name) serializer reads: a ``\(type)``, or a ``\(type)Row`` read in place.
            public protocol \(type)Fields: ListItem {
            \(fieldsProtocol)
            }

            extension \(type): \(type)Fields {}

            """
    }

    func migration(create: String, notify: String) -> String {
        let parents = fields.filter { $0.kind == .references }
        let indexes = ["(created_at, id)"] + parents.map { "(\($0.column), created_at, id)" }
        let indexNames = ["\(table)_created_at_id"] + parents.map { "\(table)_\($0.column)_created_at_id" }
        func statements(_ columns: [String]) -> String {
            let table = (["id \(columns[0])"] + columns.dropFirst()).joined(separator: ",\n                        ")
            let create =
                "                \"\"\"\n                CREATE TABLE \(self.table) (\n                        \(table)\n                )\n                \"\"\","
            let index = zip(indexNames, indexes).map { "                \"CREATE INDEX \($0) ON \(self.table) \($1)\"," }
            return ([create] + index).joined(separator: "\n")
        }
        let sqlite =
            ["TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36)"] + fields.map(\.sqlite) + [
                "created_at TEXT NOT NULL CHECK (length(created_at) = 20)", "updated_at TEXT NOT NULL CHECK (length(updated_at) = 20)",
            ]
        let postgres = ["uuid PRIMARY KEY"] + fields.map(\.postgres) + ["created_at timestamptz NOT NULL", "updated_at timestamptz NOT NULL"]
        let notifyID = Migrations.following(id, name: "notify_\(name)_changes")
        return """
            import PlinthDatabase

            extension AppMigrations {
                /// `\(id)`: the `\(table)` table and its `(created_at, id)` index, as list pages read it.
                static let \(create) = Migration(
                    id: "\(id)",
                    sqlite: .init(
                        up: [
            \(statements(sqlite))
                        ],
                        down: ["DROP TABLE \(table)"]
                    ),
                    postgres: .init(
                        up: [
            \(statements(postgres))
                        ],
                        down: ["DROP TABLE \(table)"]
                    )
                )

                /// `\(notifyID)`: every statement that changes `\(table)` sends `NOTIFY \(table)_changed`, so writes from
                /// anywhere drop every instance's cached pages.
                static let \(notify) = Migration.notifyChanges(id: "\(notifyID)", table: "\(table)")
            }

            """
    }
}

/// How generated names are made.
enum Naming {
    static func isWord(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLowercase else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }
    }

    static func isSnakeCase(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLowercase else { return false }
        return text.split(separator: "_", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && isWord("a" + $0) }
    }

    /// `unit_price` → `unitPrice`.
    static func camel(_ snake: String) -> String {
        let words = snake.split(separator: "_").map(String.init)
        return words[0] + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// `widget` → `Widget`, `unit_price` → `UnitPrice`.
    static func type(_ snake: String) -> String {
        let camel = camel(snake)
        return camel.prefix(1).uppercased() + camel.dropFirst()
    }

    /// English plurals for the common cases: box → boxes, category → categories, widget → widgets.
    static func plural(_ word: String) -> String {
        if word.hasSuffix("s") || word.hasSuffix("x") || word.hasSuffix("ch") || word.hasSuffix("sh") { return word + "es" }
        if word.hasSuffix("y"), let before = word.dropLast().last, !"aeiou".contains(before) { return word.dropLast() + "ies" }
        return word + "s"
    }
}
