/// An app's names: `demo` for the command and package, `Demo` for its modules.
public struct AppName: Sendable, Equatable {
    /// Lowercase: the package, the executable, the SQLite file.
    public let command: String
    /// Capitalized: the modules (`Demo`, `DemoCore`, `DemoTests`) and types (`DemoApp`).
    public let module: String

    /// Checks `text`: a lowercase letter, then lowercase letters and digits, not a Swift keyword or
    /// a module an app already imports.
    public init(_ text: String) throws {
        guard let first = text.first, first.isASCII, first.isLowercase,
            text.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) }), text.count <= 40
        else {
            throw GeneratorError("\"\(text.prefix(40))\" is not an app name: use a lowercase letter, then lowercase letters and digits (at most 40)")
        }
        guard !Self.reserved.contains(text) else {
            throw GeneratorError("\"\(text)\" is a Swift keyword or a module name; pick another app name")
        }
        command = text
        module = first.uppercased() + text.dropFirst()
    }

    /// Replaces `{{name}}` and `{{Name}}`.
    func render(_ text: String) -> String {
        text.replacingOccurrences(of: "{{name}}", with: command).replacingOccurrences(of: "{{Name}}", with: module)
    }

    /// Swift's keywords and the modules a generated app imports.
    static let reserved: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout", "internal", "let",
        "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias",
        "var", "break", "case", "catch", "continue", "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat",
        "return", "throw", "switch", "where", "while", "any", "as", "await", "false", "is", "nil", "self", "super", "throws", "true", "try",
        "some", "actor", "async", "consume", "copy", "borrowing", "consuming", "package", "type", "app",
        "plinth", "plinthcore", "plinthapp", "plinthdatabase", "plinthserver", "posts", "postscore", "hummingbird", "foundation", "logging",
        "testing", "swift", "nio", "niocore", "prometheus", "grdb", "postgresnio", "argumentparser", "servicelifecycle", "dispatch", "xctest",
    ]
}

/// Why a generator changed nothing: one line for the user.
public struct GeneratorError: Error, CustomStringConvertible, Equatable {
    /// The line.
    public let description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
