import Foundation

/// A generated app's directory: where `plinth generate` writes, found by its migrations file.
public struct AppDirectory: Sendable {
    /// The app's root.
    public let root: URL
    /// The app's module name (`Demo` of `Sources/DemoCore`).
    public let module: String

    /// Finds the app at `root`; throws ``GeneratorError`` when `root` is not one.
    public init(_ root: URL) throws {
        let files = FileManager.default
        let sources = root.appendingPathComponent("Sources")
        let cores = ((try? files.contentsOfDirectory(atPath: sources.path)) ?? []).filter { core in
            core.hasSuffix("Core") && files.fileExists(atPath: sources.appendingPathComponent("\(core)/Migrations/AppMigrations.swift").path)
        }
        guard files.fileExists(atPath: root.appendingPathComponent("Package.swift").path), cores.count == 1, let core = cores.first else {
            throw GeneratorError("\(root.path) is not a Plinth app (no Package.swift and Sources/<Name>Core/Migrations/AppMigrations.swift)")
        }
        self.root = root
        self.module = String(core.dropLast(4))
    }

    /// `Sources/<Name>Core/Models/`.
    var models: URL { root.appendingPathComponent("Sources/\(module)Core/Models") }
    /// `Sources/<Name>Core/Migrations/`.
    var migrations: URL { root.appendingPathComponent("Sources/\(module)Core/Migrations") }
}
