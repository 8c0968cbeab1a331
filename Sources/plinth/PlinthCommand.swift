import ArgumentParser
import Foundation
import PlinthApp
import PlinthGenerator

/// `plinth`: starts an app on the Plinth toolkit.
@main
struct PlinthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plinth",
        abstract: "Start a JSON API on the Plinth toolkit.",
        subcommands: [NewCommand.self, GenerateCommand.self]
    )
}

/// `plinth new NAME`: a new app in `DIR/NAME`.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create an app: a package on Plinth that serves GET /health on port 5000 and passes its scripts/test."
    )

    @Argument(help: "The app's name: a lowercase letter, then lowercase letters and digits (e.g. demo).")
    var name: String

    @Option(name: .long, help: "The directory to create the app in (default: the current one).")
    var path = "."

    @Option(name: .long, help: "A Plinth checkout to depend on (default: the one this plinth was built from).")
    var plinthPath: String?

    @Option(name: .long, help: "A Plinth repository URL to depend on instead of a checkout (with --plinth-version).")
    var plinthURL: String?

    @Option(name: .long, help: "The Plinth version the app needs, with --plinth-url.")
    var plinthVersion = "0.1.0"

    /// The checkout this binary was built from.
    static let builtFrom = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func run() throws {
        let dependency: PlinthDependency
        switch (plinthPath, plinthURL) {
        case (.some, .some): fail("give --plinth-path or --plinth-url, not both")
        case (nil, .some(let url)): dependency = .url(url, version: plinthVersion)
        case (let path, nil):
            let checkout = URL(fileURLWithPath: path ?? Self.builtFrom).standardizedFileURL.path
            guard FileManager.default.fileExists(atPath: checkout + "/Package.swift") else {
                fail("\(checkout) is not a Plinth checkout (no Package.swift)")
            }
            dependency = .path(checkout)
        }
        do {
            let app = try NewApp(name: name, parent: URL(fileURLWithPath: path).standardizedFileURL, plinth: dependency)
            let directory = try app.write()
            print("created \(directory.path)")
            print("next: cd \(directory.path) && swift run \(app.name.command)   (then scripts/test)")
        } catch let error as GeneratorError {
            fail(error.description)
        }
    }

    private func fail(_ line: String) -> Never {
        printToStandardError("plinth new: \(line)")
        Foundation.exit(1)
    }
}

/// `plinth generate ...`: adds to the app in the current directory.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Add to the Plinth app in the current directory.",
        subcommands: [
            GenerateScaffoldCommand.self, GenerateModelCommand.self, GenerateMigrationCommand.self, GenerateSerializerCommand.self,
            GenerateMediatorCommand.self, GenerateEndpointCommand.self,
        ]
    )
}

/// `plinth generate migration NAME`: an empty migration, listed last in `AppMigrations.all`.
struct GenerateMigrationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migration",
        abstract: "Write Sources/<App>Core/Migrations/<Name>.swift (SQLite and PostgreSQL, up and down) and list it in AppMigrations.all."
    )

    @Argument(help: "Lowercase words joined by _ (e.g. add_widget_color).")
    var name: String

    @Flag(name: .long, help: "Replace the file if it exists.")
    var force = false

    func run() throws {
        do {
            let app = try AppDirectory(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            let migration = try GenerateMigration(name: name, app: app, now: Date(), force: force)
            try migration.write()
            print("created \(migration.file.path) (\(migration.id)), listed in AppMigrations.all")
        } catch let error as GeneratorError {
            printToStandardError("plinth generate migration: \(error)")
            Foundation.exit(1)
        }
    }
}

/// The arguments every resource generator takes, and how it runs.
struct ResourceArguments: ParsableArguments {
    @Argument(help: "The resource's name, singular: a lowercase letter, then lowercase letters and digits (e.g. widget).")
    var name: String

    @Argument(help: "Fields as name:type; types: string (1–200), text (1–100,000), int, bool, timestamp, uuid, and parent:references.")
    var fields: [String] = []

    @Flag(name: .long, help: "Replace the files if they exist.")
    var force = false

    func run(_ command: String, parts: [GenerateModel.Part]) {
        do {
            let app = try AppDirectory(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            let resource = try GenerateModel(name: name, fields: fields, app: app, now: Date(), force: force, parts: parts)
            let written = try resource.write()
            let root = app.root.standardizedFileURL.path + "/"
            for file in written { print("created \(file.standardizedFileURL.path.replacingOccurrences(of: root, with: ""))") }
            if parts.contains(.model) { print("listed \(resource.table) in AppMigrations") }
            if parts.contains(.endpoint) { print("routes added to Routes.swift, paths and schemas to schema.json") }
        } catch {
            printToStandardError("plinth generate \(command): \(error)")
            Foundation.exit(1)
        }
    }
}

/// `plinth generate scaffold NAME field:type...`: every part of a resource.
struct GenerateScaffoldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaffold",
        abstract: "A whole resource: model, store, migrations, serializer, mediators, endpoints, routes, schema.json entries and tests."
    )

    @OptionGroup var resource: ResourceArguments

    func run() throws { resource.run("scaffold", parts: GenerateModel.Part.allCases) }
}

/// `plinth generate model NAME field:type...`: the model, its store and the migrations creating its table.
struct GenerateModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "The model, its store and the migrations creating its table (SQLite and PostgreSQL, up and down), with store tests."
    )

    @OptionGroup var resource: ResourceArguments

    func run() throws { resource.run("model", parts: [.model]) }
}

/// `plinth generate serializer NAME field:type...`.
struct GenerateSerializerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serializer", abstract: "The serializer (the JSON wire format of the model's fields), with its test.")

    @OptionGroup var resource: ResourceArguments

    func run() throws { resource.run("serializer", parts: [.serializer]) }
}

/// `plinth generate mediator NAME field:type...`.
struct GenerateMediatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mediator", abstract: "The input (validation) and the create, update and destroy mediators.")

    @OptionGroup var resource: ResourceArguments

    func run() throws { resource.run("mediator", parts: [.mediator]) }
}

/// `plinth generate endpoint NAME field:type...`.
struct GenerateEndpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoint", abstract: "The endpoints (CRUD, Range, ETag, token), their routes and schema.json entries, with endpoint tests.")

    @OptionGroup var resource: ResourceArguments

    func run() throws { resource.run("endpoint", parts: [.endpoint]) }
}
