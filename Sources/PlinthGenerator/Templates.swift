import Foundation

/// The template files in the bundle's `Templates/<set>/`: a path component `__Name__` or
/// `__name__` takes the app's name, `dot-` stands for a leading dot (SwiftPM's resources skip
/// hidden files), `.tmpl` is dropped.
enum Templates {
    struct File {
        let path: String
        let text: String
        let executable: Bool
    }

    static func files(in set: String) throws -> [File] {
        guard let root = Bundle.module.resourceURL?.appendingPathComponent("Templates").appendingPathComponent(set) else {
            throw GeneratorError("the templates are missing from the plinth bundle")
        }
        let files = FileManager.default
        guard let walk = files.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw GeneratorError("cannot read the templates at \(root.path)")
        }
        var found: [File] = []
        for case let url as URL in walk where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
            let path = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            let executable = files.isExecutableFile(atPath: url.path) || path.hasPrefix("scripts/test") || path.hasPrefix("dot-ci/")
            found.append(File(path: path, text: try String(contentsOf: url, encoding: .utf8), executable: executable))
        }
        return found.sorted { $0.path < $1.path }
    }

    /// The file's path in the app.
    static func path(_ template: String, name: AppName) -> String {
        template.split(separator: "/").map { component in
            var part = String(component).replacingOccurrences(of: "__Name__", with: name.module)
                .replacingOccurrences(of: "__name__", with: name.command)
            if part.hasPrefix("dot-") { part = "." + part.dropFirst(4) }
            if part.hasSuffix(".tmpl") { part.removeLast(5) }
            return part
        }.joined(separator: "/")
    }
}
