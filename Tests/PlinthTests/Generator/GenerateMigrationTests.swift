import Foundation
import PlinthGenerator
import Testing

@Suite struct GenerateMigrationTests {
    private func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    private let list = "Sources/DemoCore/Migrations/AppMigrations.swift"
    private let noon = Date(timeIntervalSince1970: 1_796_212_800)  // 2026-12-02 12:00:00 UTC

    @Test func writesTheMigrationAndListsItLast() throws {
        try GeneratedApp.with { root, app in
            try GenerateMigration(name: "add_widget_color", app: app, now: noon).write()
            let file = try read(root.appendingPathComponent("Sources/DemoCore/Migrations/AddWidgetColor.swift"))
            #expect(file.contains(#"id: "20261202120000_add_widget_color""#) && file.contains("static let addWidgetColor = Migration("))
            #expect(try read(root.appendingPathComponent(list)).contains("= [\n        addWidgetColor\n        // plinth: migrations\n    ]"))

            // Made in the same second, the next one still sorts after it.
            let next = try GenerateMigration(name: "drop_it", app: app, now: noon)
            #expect(next.id == "20261202120001_drop_it")
            try next.write()
            #expect(
                try read(root.appendingPathComponent(list)).contains(
                    "= [\n        addWidgetColor,\n        dropIt,\n        // plinth: migrations\n    ]"))
        }
    }

    @Test func theSameMigrationTwiceFailsAndChangesNothing() throws {
        try GeneratedApp.with { root, app in
            try GenerateMigration(name: "add_index", app: app, now: noon).write()
            let file = root.appendingPathComponent("Sources/DemoCore/Migrations/AddIndex.swift")
            let (before, listed) = (try read(file), try read(root.appendingPathComponent(list)))
            #expect(throws: GeneratorError("\(file.path) already exists; nothing written (--force replaces it)")) {
                try GenerateMigration(name: "add_index", app: app, now: noon.addingTimeInterval(60)).write()
            }
            #expect(try read(file) == before)
            #expect(try read(root.appendingPathComponent(list)) == listed)
            try GenerateMigration(name: "add_index", app: app, now: noon.addingTimeInterval(60), force: true).write()
            #expect(try read(file) != before)
            #expect(try read(root.appendingPathComponent(list)) == listed, "--force replaces the file and lists it once")
        }
    }

    @Test(arguments: ["", "AddIndex", "add-index", "add__index", "_add", "add_", "9add"])
    func aBadNameWritesNothing(name: String) throws {
        try GeneratedApp.with { root, app in
            let listed = try read(root.appendingPathComponent(list))
            #expect(throws: GeneratorError.self) { try GenerateMigration(name: name, app: app, now: noon).write() }
            let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Sources/DemoCore/Migrations").path)
            #expect(files == ["AppMigrations.swift"])
            #expect(try read(root.appendingPathComponent(list)) == listed)
        }
    }

    @Test func outsideAnAppItSaysSo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plinth-not-an-app-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: GeneratorError.self) { try AppDirectory(directory) }
    }
}
