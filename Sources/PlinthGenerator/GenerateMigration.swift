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
        let words = name.split(separator: "_", omittingEmptySubsequences: false)
        guard name.count <= 60, let first = name.first, first.isASCII, first.isLowercase,
            words.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) } })
        else {
            throw GeneratorError("\"\(name.prefix(60))\" is not a migration name: use lowercase words joined by _ (e.g. add_widget_color)")
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss"
        // Two migrations made within a second still sort in the order they were made.
        let latest = Self.latestStamp(in: app.migrations).flatMap { formatter.date(from: $0) }
        let stamp = latest.map { max(now, $0.addingTimeInterval(1)) } ?? now
        self.name = name
        self.app = app
        self.id = formatter.string(from: stamp) + "_" + name
        self.force = force
    }

    /// The newest `yyyyMMddHHmmss` id prefix among the app's migration files.
    static func latestStamp(in directory: URL) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var stamps: [String] = []
        for name in names where name.hasSuffix(".swift") {
            guard let text = try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8) else { continue }
            for part in text.components(separatedBy: "id: \"").dropFirst() {
                let stamp = part.prefix(14)
                if stamp.count == 14, stamp.allSatisfy(\.isNumber), part.dropFirst(14).first == "_" { stamps.append(String(stamp)) }
            }
        }
        return stamps.max()
    }

    /// `addWidgetColor`: the migration's property on `AppMigrations`.
    public var property: String {
        let words = name.split(separator: "_").map(String.init)
        return words[0] + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The file written: `Sources/<Name>Core/Migrations/AddWidgetColor.swift`.
    public var file: URL { app.migrations.appendingPathComponent(property.prefix(1).uppercased() + property.dropFirst() + ".swift") }

    /// The marker in `AppMigrations.all` the migration is listed before.
    static let marker = "        // plinth: migrations\n"

    /// Writes the file and lists the migration; throws ``GeneratorError`` (changing nothing) when the
    /// file exists (without `force`), the list has no marker, or it lists the migration already.
    public func write() throws {
        let files = FileManager.default
        let list = app.migrations.appendingPathComponent("AppMigrations.swift")
        let listed = try String(contentsOf: list, encoding: .utf8)
        let replacing = files.fileExists(atPath: file.path)
        if replacing && !force { throw GeneratorError("\(file.path) already exists; nothing written (--force replaces it)") }
        guard listed.contains(Self.marker) else {
            throw GeneratorError("\(list.path) has no \"// plinth: migrations\" line in AppMigrations.all; nothing written")
        }
        guard let updated = Self.listing(property, in: listed) else {
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

    /// `text` with `entry` added last to the array literal that ends at the marker, one element per
    /// line, commas as swift-format wants them (none after a lone element); `nil` when it is listed.
    static func listing(_ entry: String, in text: String) -> String? {
        var lines = text.components(separatedBy: "\n")
        guard let marker = lines.firstIndex(of: String(Self.marker.dropLast())),
            let opening = lines[..<marker].lastIndex(where: { $0.hasSuffix("[") })
        else { return nil }
        var entries = lines[(opening + 1)..<marker].map { $0.trimmingCharacters(in: .whitespaces) }.map {
            $0.hasSuffix(",") ? String($0.dropLast()) : $0
        }
        .filter { !$0.isEmpty }
        guard !entries.contains(entry) else { return nil }
        entries.append(entry)
        let rendered = entries.map { "        " + $0 + (entries.count == 1 ? "" : ",") }
        lines.replaceSubrange((opening + 1)..<marker, with: rendered)
        return lines.joined(separator: "\n")
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
