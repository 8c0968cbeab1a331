import Foundation
import PlinthCore
import PlinthGenerator
import Testing

@Suite struct GenerateScaffoldTests {
    private let noon = Date(timeIntervalSince1970: 1_796_212_800)  // 2026-12-02 12:00:00 UTC

    private func read(_ root: URL, _ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Every file of the app and its contents.
    private func snapshot(_ root: URL) throws -> [String: String] {
        var files: [String: String] = [:]
        let walk = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = walk?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            files[url.path] = try String(contentsOf: url, encoding: .utf8)
        }
        return files
    }

    private func scaffold(_ name: String, _ fields: [String], _ app: AppDirectory, at time: Date) throws -> GenerateModel {
        try GenerateModel(name: name, fields: fields, app: app, now: time, parts: GenerateModel.Part.allCases)
    }

    @Test func writesEveryPartRegistersTheRoutesAndDescribesThemInTheSchema() throws {
        try GeneratedApp.with { root, app in
            try scaffold("widget", ["name:string", "size:int"], app, at: noon).write()
            try scaffold("part", ["widget:references", "label:string"], app, at: noon.addingTimeInterval(60)).write()
            for path in [
                "Sources/DemoCore/Models/Part.swift", "Sources/DemoCore/Migrations/CreateParts.swift", "Sources/DemoCore/Stores/PartStore.swift",
                "Sources/DemoCore/Serializers/PartSerializer.swift", "Sources/DemoCore/Mediators/PartInput.swift",
                "Sources/DemoCore/Mediators/CreatePart.swift", "Sources/DemoCore/Mediators/UpdatePart.swift",
                "Sources/DemoCore/Mediators/DestroyPart.swift", "Sources/Demo/Endpoints/PartsEndpoints.swift",
                "Tests/DemoTests/PartStoreTests.swift", "Tests/DemoTests/PartSerializerTests.swift", "Tests/DemoTests/PartsEndpointsTests.swift",
                "Tests/DemoTests/Samples/Part+Sample.swift",
            ] {
                #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path), "\(path)")
            }
            let endpoints = try read(root, "Sources/Demo/Endpoints/PartsEndpoints.swift")
            #expect(
                endpoints.contains(#"router.get("/widgets/:id/parts", use: list)"#)
                    && endpoints.contains(#"router.delete("/parts/:id", use: destroy)"#))
            let input = try read(root, "Sources/DemoCore/Mediators/PartInput.swift")
            #expect(input.contains(#"input.text("label", trim: true, max: 200, required: requireAll)"#))
            #expect(!input.contains("widget_id"), "the parent comes from the path, not the body")
            let routes = try read(root, "Sources/Demo/Routes.swift")
            let widgets = try #require(
                routes.range(of: "WidgetsEndpoints(store: WidgetStore(database: database), resource: resource).addRoutes(to: router)"))
            let parts = try #require(
                routes.range(of: "PartsEndpoints(store: PartStore(database: database), resource: resource).addRoutes(to: router)"))
            let marker = try #require(routes.range(of: "// plinth: resource routes"))
            #expect(widgets.upperBound < parts.lowerBound && parts.upperBound < marker.lowerBound)
            let schema = try OrderedJSON(parsing: Data(try read(root, "Sources/Demo/Resources/schema.json").utf8))
            #expect(
                schema["paths"]?.members.map(\.key) == [
                    "/widgets", "/widgets/{id}", "/widgets/{id}/parts", "/parts/{id}", "/health", "/health/db", "/schema.json", "/metrics",
                ])
            let part = schema["components"]?["schemas"]?["Part"]
            #expect(part?["required"]?.elements.compactMap(\.string) == ["id", "widget_id", "label", "created_at", "updated_at"])
            #expect(schema["components"]?["schemas"]?["PartCreate"]?["properties"]?["label"]?["maxLength"]?.scalarText == "200")
            #expect(schema["components"]?["parameters"]?["If-Match"] != nil)
        }
    }

    @Test func theSameScaffoldTwiceFailsAndChangesNothing() throws {
        try GeneratedApp.with { root, app in
            try scaffold("widget", ["name:string", "size:int"], app, at: noon).write()
            let before = try snapshot(root)
            #expect(throws: GeneratorError.self) {
                try scaffold("widget", ["name:string", "size:int"], app, at: noon.addingTimeInterval(60)).write()
            }
            for part in GenerateModel.Part.allCases {
                #expect(throws: GeneratorError.self) {
                    try GenerateModel(name: "widget", fields: ["name:string"], app: app, now: noon.addingTimeInterval(60), parts: [part]).write()
                }
            }
            #expect(try snapshot(root) == before)
        }
    }

    @Test(arguments: [
        ["widget:references"],  // nothing for a client to send
        ["widget:references", "gadget:references", "label:string"],  // two parents
        ["label:float"],
    ])
    func badFieldsWriteNothing(fields: [String]) throws {
        try GeneratedApp.with { root, app in
            try scaffold("widget", ["name:string"], app, at: noon).write()
            try scaffold("gadget", ["name:string"], app, at: noon.addingTimeInterval(60)).write()
            let before = try snapshot(root)
            #expect(throws: GeneratorError.self) { try scaffold("part", fields, app, at: noon.addingTimeInterval(120)).write() }
            #expect(try snapshot(root) == before)
        }
    }

    @Test func withoutTheRoutesMarkerItSaysWhichLineToAddAndWritesNothing() throws {
        try GeneratedApp.with { root, app in
            let routes = root.appendingPathComponent("Sources/Demo/Routes.swift")
            try Data(try read(root, "Sources/Demo/Routes.swift").replacingOccurrences(of: "    // plinth: resource routes\n", with: "").utf8)
                .write(to: routes)
            let before = try snapshot(root)
            let error = #expect(throws: GeneratorError.self) { try scaffold("widget", ["name:string"], app, at: noon).write() }
            #expect(
                error?.description.contains("WidgetsEndpoints(store: WidgetStore(database: database), resource: resource).addRoutes(to: router)")
                    == true)
            #expect(try snapshot(root) == before)
        }
    }
}
