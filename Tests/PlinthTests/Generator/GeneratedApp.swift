import Foundation
import PlinthGenerator

/// A freshly generated app `demo` in a temporary directory, removed afterwards.
enum GeneratedApp {
    static func with(_ body: (URL, AppDirectory) throws -> Void) throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("plinth-app-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        let root = try NewApp(name: "demo", parent: parent, plinth: .path("/src/plinth")).write()
        try body(root, try AppDirectory(root))
    }
}
