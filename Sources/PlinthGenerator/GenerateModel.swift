import Foundation

/// `plinth generate model NAME field:type...`: the model and the migrations that create its table
/// (SQLite and PostgreSQL, up and down) and its change notifications, listed in `AppMigrations`.
/// ```swift
/// try GenerateModel(name: "widget", fields: ["name:string", "size:int"], app: app, now: Date()).write()
/// ```
public struct GenerateModel: Sendable {
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

    /// Checks the name and fields; throws ``GeneratorError``.
    public init(name: String, fields: [String], app: AppDirectory, now: Date, force: Bool = false) throws {
        guard Naming.isWord(name), name.count <= 40, !AppName.reserved.contains(name) else {
            throw GeneratorError(
                "\"\(name.prefix(40))\" is not a model name: use a lowercase letter, then lowercase letters and digits (e.g. widget)")
        }
        guard !fields.isEmpty else { throw GeneratorError("give the model at least one field, name:type (e.g. \(name) label:string)") }
        let parsed = try fields.map(Field.init)
        var seen: Set<String> = []
        for field in parsed where !seen.insert(field.column).inserted { throw GeneratorError("the field \(field.column) is given twice") }
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
    }

    /// `Sources/<App>Core/Models/Widget.swift`.
    public var modelFile: URL { app.models.appendingPathComponent(type + ".swift") }
    /// `Sources/<App>Core/Migrations/CreateWidgets.swift`.
    public var migrationFile: URL { app.migrations.appendingPathComponent("Create\(Naming.type(table)).swift") }

    /// Writes both files and lists the migrations and the table; changes nothing on a failure.
    public func write() throws {
        let files = FileManager.default
        for file in [modelFile, migrationFile] where files.fileExists(atPath: file.path) && !force {
            throw GeneratorError("\(file.path) already exists; nothing written (--force replaces it)")
        }
        let list = app.migrations.appendingPathComponent("AppMigrations.swift")
        let listed = try String(contentsOf: list, encoding: .utf8)
        let create = "create" + Naming.type(table)
        let notify = "notify" + type + "Changes"
        var updated = listed
        for entry in [create, notify] { updated = Migrations.listing(entry, marker: Migrations.migrationsMarker, in: updated) ?? updated }
        updated = Migrations.listing("\"\(table)\"", marker: Migrations.tablesMarker, in: updated) ?? updated
        guard updated.contains(Migrations.migrationsMarker), updated.contains(Migrations.tablesMarker) else {
            throw GeneratorError("\(list.path) has no \"// plinth: migrations\" and \"// plinth: tables\" lines; nothing written")
        }
        let written = [modelFile, migrationFile].filter { !files.fileExists(atPath: $0.path) }
        do {
            try files.createDirectory(at: app.models, withIntermediateDirectories: true)
            try Data(model.utf8).write(to: modelFile)
            try Data(migration(create: create, notify: notify).utf8).write(to: migrationFile)
            if updated != listed { try Data(updated.utf8).write(to: list) }
        } catch {
            for file in written { try? files.removeItem(at: file) }
            throw GeneratorError("cannot write the \(name) model: \(error.localizedDescription)")
        }
    }

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
