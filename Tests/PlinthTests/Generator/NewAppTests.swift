import Foundation
import PlinthGenerator
import Testing

@Suite struct NewAppTests {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private func withDirectory(_ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plinth-new-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory)
    }

    private func files(under directory: URL) -> [String] {
        let walk = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        return
            (walk?.compactMap { item -> String? in
                guard let url = item as? URL, (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { return nil }
                return String(url.standardizedFileURL.path.dropFirst(directory.standardizedFileURL.path.count + 1))
            } ?? []).sorted()
    }

    @Test func writesTheAppWithItsNames() throws {
        try withDirectory { parent in
            let written = try NewApp(name: "widgetshop", parent: parent, plinth: .path("/src/Plinth-Checkout")).write()
            #expect(written.lastPathComponent == "widgetshop")
            let paths = files(under: written)
            for expected in [
                "Package.swift", "README.md", ".env.sample", ".swift-format", ".gitignore", ".ci/run", "scripts/test", "scripts/lib/postgres.sh",
                "Sources/Widgetshop/App+build.swift", "Sources/Widgetshop/WidgetshopApp.swift", "Sources/Widgetshop/Config/AppConfig.swift",
                "Sources/Widgetshop/Resources/schema.json", "Sources/WidgetshopCore/Migrations/AppMigrations.swift",
                "Sources/widgetshop/WidgetshopCommand.swift", "Tests/WidgetshopTests/HealthTests.swift",
            ] {
                #expect(paths.contains(expected), "missing \(expected)")
            }
            #expect(!paths.contains { $0.hasSuffix(".tmpl") || $0.contains("__") || $0.contains("dot-") })
            for path in paths {
                let text = try String(contentsOf: written.appendingPathComponent(path), encoding: .utf8)
                #expect(!text.contains("{{"), "\(path) has a placeholder left")
            }
            let manifest = try String(contentsOf: written.appendingPathComponent("Package.swift"), encoding: .utf8)
            #expect(manifest.contains(#".package(path: "/src/Plinth-Checkout")"#))
            #expect(manifest.contains(#"package: "plinth-checkout""#))
            #expect(FileManager.default.isExecutableFile(atPath: written.appendingPathComponent("scripts/test").path))
            #expect(FileManager.default.isExecutableFile(atPath: written.appendingPathComponent(".ci/run").path))
            let schema = try JSONSerialization.jsonObject(
                with: Data(contentsOf: written.appendingPathComponent("Sources/Widgetshop/Resources/schema.json")))
            #expect(((schema as? [String: Any])?["info"] as? [String: Any])?["title"] as? String == "widgetshop")
        }
    }

    @Test func importsAreSortedWhereverTheAppsNameFalls() throws {
        try withDirectory { parent in
            let written = try NewApp(name: "zebra", parent: parent, plinth: .url("https://example.com/plinth.git", version: "1.2.0")).write()
            let command = try String(contentsOf: written.appendingPathComponent("Sources/zebra/ZebraCommand.swift"), encoding: .utf8)
            #expect(command.hasPrefix("import ArgumentParser\nimport PlinthApp\nimport Zebra\n"))
            let manifest = try String(contentsOf: written.appendingPathComponent("Package.swift"), encoding: .utf8)
            #expect(manifest.contains(#".package(url: "https://example.com/plinth.git", from: "1.2.0")"#) && manifest.contains(#"package: "plinth""#))
        }
    }

    @Test(arguments: ["", "Demo", "my-app", "my_app", "9lives", "struct", "posts", "plinth", String(repeating: "a", count: 41)])
    func aNameThatCannotNameAnAppWritesNothing(name: String) throws {
        try withDirectory { parent in
            #expect(throws: GeneratorError.self) { try NewApp(name: name, parent: parent, plinth: .path("/src/plinth")).write() }
            let left = try FileManager.default.contentsOfDirectory(atPath: parent.path)
            #expect(left.isEmpty)
        }
    }

    @Test func anExistingDirectoryIsLeftAsItIs() throws {
        try withDirectory { parent in
            let existing = parent.appendingPathComponent("demo")
            try FileManager.default.createDirectory(at: existing, withIntermediateDirectories: false)
            try Data("mine".utf8).write(to: existing.appendingPathComponent("Package.swift"))
            #expect(throws: GeneratorError("\(existing.path) already exists; nothing written")) {
                try NewApp(name: "demo", parent: parent, plinth: .path("/src/plinth")).write()
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: parent.path)
            let manifest = try String(contentsOf: existing.appendingPathComponent("Package.swift"), encoding: .utf8)
            #expect(left == ["demo"])
            #expect(manifest == "mine")
        }
    }

    @Test func theAppsThrowawayPostgreSQLIsOurs() throws {
        let ours = try String(contentsOf: Self.checkout.appendingPathComponent("scripts/lib/postgres.sh"), encoding: .utf8)
        let template = try String(
            contentsOf: Self.checkout.appendingPathComponent("Sources/PlinthGenerator/Templates/new/scripts/lib/postgres.sh.tmpl"), encoding: .utf8)
        #expect(template == ours, "copy scripts/lib/postgres.sh to the template")
    }
}
