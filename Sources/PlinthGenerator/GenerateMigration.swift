import Foundation

/// `plinth generate migration NAME`: an empty migration for SQLite and PostgreSQL, up and down, in a
/// file of its own, listed last in `AppMigrations.all`.
/// ```swift
/// try GenerateMigration(name: "add_widget_color", app: AppDirectory(root), now: Date()).write()
/// ```
public struct GenerateMigration: Sendable {
    /// `add_widget_color`.
    public let name: String
    /// The app it goes in.
    public let app: AppDirectory
    /// The migration's id: the UTC time, to the second, then `name`, so ids sort in creation order.
    public let id: String
    /// Replace an existing file of the same name.
    public let force: Bool

    /// Checks `name` (lowercase words joined by `_`); throws ``GeneratorError``.
    public init(name: String, app: AppDirectory, now: Date, force: Bool = false) throws {
        guard name.count <= 60, Naming.isSnakeCase(name) else {
            throw GeneratorError("\"\(name.prefix(60))\" is not a migration name: use lowercase words joined by _ (e.g. add_widget_color)")
        }
        self.name = name
        self.app = app
        self.id = Migrations.nextID(name, in: app.migrations, now: now)
        self.force = force
    }

    /// `addWidgetColor`: the migration's property on `AppMigrations`.
    public var property: String { Naming.camel(name) }

    /// The file written: `Sources/<Name>Core/Migrations/AddWidgetColor.swift`.
    public var file: URL { app.migrations.appendingPathComponent(Naming.type(name) + ".swift") }

    /// Writes the file and lists the migration; throws ``GeneratorError`` (changing nothing) when the
    /// file exists (without `force`), the list has no marker, or it lists the migration already.
    public func write() throws {
        let files = FileManager.default
        let list = app.migrations.appendingPathComponent("AppMigrations.swift")
        let listed = try String(contentsOf: list, encoding: .utf8)
        let replacing = files.fileExists(atPath: file.path)
        if replacing && !force { throw GeneratorError("\(file.path) already exists; nothing written (--force replaces it)") }
        guard listed.contains(Migrations.migrationsMarker) else {
            throw GeneratorError("\(list.path) has no \"// plinth: migrations\" line in AppMigrations.all; nothing written")
        }
        guard let updated = Migrations.listing(property, marker: Migrations.migrationsMarker, in: listed) else {
            if replacing { return try Data(source.utf8).write(to: file) }
            throw GeneratorError("AppMigrations.all already lists \(property); nothing written")
        }
        try Data(source.utf8).write(to: file)
        do {
            try Data(updated.utf8).write(to: list)
        } catch {
            try? files.removeItem(at: file)
            throw GeneratorError("cannot update \(list.path): \(error.localizedDescription)")
        }
    }

    /// The migration's file.
    var source: String {
        """
        import PlinthDatabase

        extension AppMigrations {
            /// `\(id)`: write its statements; each `down` undoes its `up`, so `migrate rollback` can step back.
            static let \(property) = Migration(
                id: "\(id)",
                sqlite: .init(up: [], down: []),
                postgres: .init(up: [], down: [])
            )
        }

        """
    }
}
