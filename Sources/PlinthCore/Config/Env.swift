#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Typed access to environment variables, Pliny style: mandatory, optional or with a default.
///
/// Empty values count as unset. A value that does not parse throws a ``ConfigError`` naming the
/// key and the problem, so startup can stop with one clear line.
/// ```swift
/// let env = Env()
/// let port = try env.value("PORT", default: 5000, as: Port.self)
/// let token = try env.optional("API_TOKEN", as: String.self)
/// ```
public struct Env: Sendable {
    /// The raw variables read.
    public let values: [String: String]

    /// Reads `values`, by default the process environment.
    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    /// The value of `key`, which must be set.
    public func mandatory<Value: EnvValue>(_ key: String, as type: Value.Type = Value.self) throws -> Value {
        guard let value = try optional(key, as: type) else {
            throw ConfigError(key: key, value: nil, problem: "is required but not set")
        }
        return value
    }

    /// The value of `key`, or `nil` when unset or empty.
    public func optional<Value: EnvValue>(_ key: String, as type: Value.Type = Value.self) throws -> Value? {
        guard let raw = values[key], !raw.isEmpty else { return nil }
        do {
            return try Value(envValue: raw)
        } catch let problem as EnvValueProblem {
            throw ConfigError(key: key, value: raw, problem: problem.description)
        }
    }

    /// The value of `key`, or `defaultValue` when unset or empty.
    public func value<Value: EnvValue>(_ key: String, default defaultValue: Value, as type: Value.Type = Value.self) throws -> Value {
        try optional(key, as: type) ?? defaultValue
    }
}

/// A configuration value that could not be used; its description is the one line shown at startup.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// The environment variable.
    public var key: String
    /// The value found, if any.
    public var value: String?
    /// What is wrong with it.
    public var problem: String

    /// Creates an error for `key`.
    public init(key: String, value: String?, problem: String) {
        self.key = key
        self.value = value
        self.problem = problem
    }

    /// `PORT="abc": must be an integer from 1 to 65535`.
    public var description: String {
        guard let value else { return "\(key) \(problem)" }
        let shown = value.count > 60 ? String(value.prefix(60)) + "..." : value
        return "\(key)=\"\(shown)\": \(problem)"
    }
}

/// Why a raw string is not a valid value; ``Env`` adds the key.
public struct EnvValueProblem: Error, CustomStringConvertible {
    /// The problem, e.g. "must be an integer".
    public var description: String

    /// Creates a problem.
    public init(_ description: String) { self.description = description }
}

/// A type that can be read from an environment variable.
public protocol EnvValue: Sendable {
    /// Parses `envValue`, throwing ``EnvValueProblem`` when it is not valid.
    init(envValue: String) throws
}

extension String: EnvValue {
    /// Any string is valid.
    public init(envValue: String) { self = envValue }
}

extension Int: EnvValue {
    /// A decimal integer.
    public init(envValue: String) throws {
        guard let value = Int(envValue.trimmingCharacters(in: .whitespaces)) else { throw EnvValueProblem("must be an integer") }
        self = value
    }
}

extension Double: EnvValue {
    /// A decimal number.
    public init(envValue: String) throws {
        guard let value = Double(envValue.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw EnvValueProblem("must be a number")
        }
        self = value
    }
}

extension Bool: EnvValue {
    /// `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`.
    public init(envValue: String) throws {
        switch envValue.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1", "yes", "on": self = true
        case "false", "0", "no", "off": self = false
        default: throw EnvValueProblem("must be true or false")
        }
    }
}

/// A TCP port, 1–65535.
public struct Port: EnvValue, Equatable {
    /// The port number.
    public var value: Int

    /// Creates a port; `value` must be in range.
    public init(_ value: Int) { self.value = value }

    /// A decimal integer from 1 to 65535.
    public init(envValue: String) throws {
        guard let value = Int(envValue.trimmingCharacters(in: .whitespaces)), (1...65535).contains(value) else {
            throw EnvValueProblem("must be an integer from 1 to 65535")
        }
        self.value = value
    }
}

/// A list separated by commas, blanks dropped.
public struct CommaList: EnvValue, Equatable {
    /// The items, trimmed.
    public var items: [String]

    /// Creates a list.
    public init(_ items: [String]) { self.items = items }

    /// `a, b,c` → `["a", "b", "c"]`.
    public init(envValue: String) {
        items = envValue.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
