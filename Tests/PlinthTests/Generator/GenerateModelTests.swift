import Foundation
import PlinthGenerator
import Testing

@Suite struct GenerateModelTests {
    private func read(_ root: URL, _ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    private let noon = Date(timeIntervalSince1970: 1_796_212_800)  // 2026-12-02 12:00:00 UTC
    private let list = "Sources/DemoCore/Migrations/AppMigrations.swift"

    @Test func writesTheModelAndItsTableForEveryType() throws {
        try GeneratedApp.with { root, app in
            let fields = ["name:string", "size:int", "active:bool", "made_at:timestamp", "code:uuid", "notes:text"]
            try GenerateModel(name: "widget", fields: fields, app: app, now: noon).write()
            let model = try read(root, "Sources/DemoCore/Models/Widget.swift")
            for property in [
                "public var name: String", "public var size: Int", "public var active: Bool", "public var madeAt: Timestamp", "public var code: UUID",
                "public var notes: String",
            ] {
                #expect(model.contains(property), "\(property)")
            }
            let migration = try read(root, "Sources/DemoCore/Migrations/CreateWidgets.swift")
            #expect(migration.contains(#"id: "20261202120000_create_widgets""#))
            #expect(migration.contains("active INTEGER NOT NULL CHECK (active IN (0, 1))") && migration.contains("active boolean NOT NULL"))
            #expect(migration.contains("size bigint NOT NULL") && migration.contains("made_at timestamptz NOT NULL"))
            #expect(migration.contains(#"Migration.notifyChanges(id: "20261202120001_notify_widget_changes", table: "widgets")"#))
            let listed = try read(root, list)
            #expect(listed.contains("        createWidgets,\n        notifyWidgetChanges,\n        // plinth: migrations"))
            #expect(listed.contains("= [\n        \"widgets\"\n        // plinth: tables"))
        }
    }

    @Test func aReferenceIsAColumnThatCascadesAndIsIndexed() throws {
        try GeneratedApp.with { root, app in
            try GenerateModel(name: "widget", fields: ["name:string"], app: app, now: noon).write()
            try GenerateModel(name: "part", fields: ["widget:references", "label:string"], app: app, now: noon).write()
            #expect(try read(root, "Sources/DemoCore/Models/Part.swift").contains("public var widgetID: UUID"))
            let migration = try read(root, "Sources/DemoCore/Migrations/CreateParts.swift")
            #expect(migration.contains("widget_id uuid NOT NULL REFERENCES widgets (id) ON DELETE CASCADE"))
            #expect(migration.contains("CREATE INDEX parts_widget_id_created_at_id ON parts (widget_id, created_at, id)"))
            #expect(migration.contains(#"id: "20261202120002_create_parts""#), "after the widget's migrations")
        }
    }

    @Test(arguments: [
        ("Widget", ["name:string"]), ("widget", []), ("widget", ["name"]), ("widget", ["name:float"]), ("widget", ["Name:string"]),
        ("widget", ["id:uuid"]), ("widget", ["created_at:timestamp"]), ("widget", ["name:string", "name:text"]),
        ("widget", ["gadget:references"]), ("widget", ["widget:references"]), ("struct", ["name:string"]),
    ])
    func badInputWritesNothing(name: String, fields: [String]) throws {
        try GeneratedApp.with { root, app in
            let before = try read(root, list)
            #expect(throws: GeneratorError.self) { try GenerateModel(name: name, fields: fields, app: app, now: noon).write() }
            #expect(try read(root, list) == before)
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("Sources/DemoCore/Models").path))
        }
    }

    @Test func theSameModelTwiceFailsAndChangesNothing() throws {
        try GeneratedApp.with { root, app in
            try GenerateModel(name: "widget", fields: ["name:string"], app: app, now: noon).write()
            let (model, listed) = (try read(root, "Sources/DemoCore/Models/Widget.swift"), try read(root, list))
            #expect(throws: GeneratorError.self) {
                try GenerateModel(name: "widget", fields: ["size:int"], app: app, now: noon.addingTimeInterval(60)).write()
            }
            #expect(try read(root, "Sources/DemoCore/Models/Widget.swift") == model)
            #expect(try read(root, list) == listed)
        }
    }
}
