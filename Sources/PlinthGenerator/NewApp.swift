import Foundation

/// `plinth new`: a package that depends on Plinth, laid out as the posts app is, that serves
/// `GET /health` out of the box and passes its own `scripts/test`.
///
/// Everything is written to a hidden directory beside the target and moved into place at the
/// end, so a failure leaves nothing behind.
/// ```swift
/// let app = try NewApp(name: "demo", parent: URL(fileURLWithPath: "."), plinth: .path("/src/plinth"))
/// let directory = try app.write()
/// ```
public struct NewApp: Sendable {
    /// The app's names.
    public let name: AppName
    /// The directory the app's directory is created in.
    public let parent: URL
    /// How the app depends on Plinth.
    public let plinth: PlinthDependency

    /// Checks the name; throws ``GeneratorError`` when it cannot name an app.
    public init(name: String, parent: URL, plinth: PlinthDependency) throws {
        self.name = try AppName(name)
        self.parent = parent
        self.plinth = plinth
    }

    /// The directory the app is written to.
    public var directory: URL { parent.appendingPathComponent(name.command) }

    /// Writes the app; throws ``GeneratorError`` (writing nothing) when its directory exists.
    @discardableResult
    public func write() throws -> URL {
        let files = FileManager.default
        guard files.fileExists(atPath: parent.path) else { throw GeneratorError("\(parent.path) does not exist") }
        guard !files.fileExists(atPath: directory.path) else { throw GeneratorError("\(directory.path) already exists; nothing written") }
        let staging = parent.appendingPathComponent(".\(name.command).plinth-\(UUID().uuidString.prefix(8))")
        do {
            for template in try Templates.files(in: "new") {
                let destination = staging.appendingPathComponent(Templates.path(template.path, name: name))
                try files.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                var text = render(template.text)
                if destination.pathExtension == "swift" { text = Self.sortingImports(text) }
                try Data(text.utf8).write(to: destination)
                if template.executable { try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: destination.path) }
            }
            try files.moveItem(at: staging, to: directory)
        } catch {
            try? files.removeItem(at: staging)
            throw error as? GeneratorError ?? GeneratorError("cannot write \(directory.path): \(error.localizedDescription)")
        }
        return directory
    }

    /// The file with its leading `import` lines in swift-format's order: the app's own modules
    /// take its name, which can sort anywhere among the others.
    static func sortingImports(_ text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        guard let first = lines.firstIndex(where: { $0.hasPrefix("import ") }) else { return text }
        let end = lines[first...].firstIndex(where: { !$0.hasPrefix("import ") }) ?? lines.endIndex
        lines[first..<end].sort()
        return lines.joined(separator: "\n")
    }

    private func render(_ text: String) -> String {
        name.render(text)
            .replacingOccurrences(of: "{{plinth_dependency}}", with: plinth.packageLine)
            .replacingOccurrences(of: "{{plinth_package}}", with: plinth.identity)
    }
}

/// Where an app gets Plinth from.
public enum PlinthDependency: Sendable, Equatable {
    /// A checkout on this machine.
    case path(String)
    /// A published repository, from a version.
    case url(String, version: String)

    /// The `.package(...)` line of the app's manifest.
    var packageLine: String {
        switch self {
        case .path(let path): return ".package(path: \(Self.quoted(path)))"
        case .url(let url, let version): return ".package(url: \(Self.quoted(url)), from: \(Self.quoted(version)))"
        }
    }

    /// SwiftPM's identity of the package: its last path component, lowercased, without `.git`.
    var identity: String {
        let location: String
        switch self {
        case .path(let path): location = path
        case .url(let url, _): location = url
        }
        var last = URL(fileURLWithPath: location).standardizedFileURL.lastPathComponent
        if last.hasSuffix(".git") { last.removeLast(4) }
        return last.lowercased()
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
