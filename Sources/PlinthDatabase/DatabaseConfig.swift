import Foundation
import PlinthCore

/// The database `DATABASE_URL` names.
public enum DatabaseConfig: Sendable, Equatable, EnvValue {
    /// Embedded SQLite.
    case sqlite(SQLiteLocation)
    /// A PostgreSQL server.
    case postgres(PostgresURL)

    /// Parses `sqlite:///abs/path`, `sqlite::memory:`, `postgres://...` or `postgresql://...`.
    public init(envValue: String) throws {
        if envValue == "sqlite::memory:" {
            self = .sqlite(.memory)
        } else if envValue.hasPrefix("sqlite://") {
            let path = String(envValue.dropFirst("sqlite://".count))
            guard path.hasPrefix("/"), path.count > 1 else {
                throw EnvValueProblem("a SQLite URL needs an absolute path (sqlite:///abs/path) or sqlite::memory:")
            }
            self = .sqlite(.file(path))
        } else if envValue.hasPrefix("postgres://") || envValue.hasPrefix("postgresql://") {
            self = .postgres(try PostgresURL(envValue))
        } else {
            let scheme = envValue.split(separator: ":", maxSplits: 1).first.map(String.init) ?? envValue
            throw EnvValueProblem(
                "unknown database scheme \"\(scheme.prefix(20))\"; use postgres://user:pass@host:port/db, sqlite:///abs/path or sqlite::memory:"
            )
        }
    }
}

/// The parts of a `postgres://user:pass@host:port/db?sslmode=...` URL.
public struct PostgresURL: Sendable, Equatable {
    /// User name.
    public var user: String
    /// Password, if any.
    public var password: String?
    /// Host name or address.
    public var host: String
    /// Port (5432 by default).
    public var port: Int
    /// Database name (the user name by default).
    public var database: String
    /// Whether TLS is required (`sslmode=require`); `disable` by default.
    public var requireTLS: Bool

    /// Parses a URL; throws ``EnvValueProblem`` saying which part is wrong.
    public init(_ text: String) throws {
        guard let schemeEnd = text.range(of: "://") else { throw EnvValueProblem("is not a postgres:// URL") }
        var rest = String(text[schemeEnd.upperBound...])
        var query = ""
        if let mark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: mark)...])
            rest = String(rest[..<mark])
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[rest.index(after: slash)...])
            rest = String(rest[..<slash])
        }
        var userInfo = ""
        if let at = rest.lastIndex(of: "@") {
            userInfo = String(rest[..<at])
            rest = String(rest[rest.index(after: at)...])
        }
        let (userPart, passwordPart) = userInfo.splitOnce(":")
        user = userPart.removingPercentEncoding ?? userPart
        password = passwordPart.map { $0.removingPercentEncoding ?? $0 }
        port = 5432
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let number = Int(rest[rest.index(after: colon)...]), (1...65535).contains(number) else {
                throw EnvValueProblem("has an invalid port")
            }
            port = number
            rest = String(rest[..<colon])
        }
        host = rest.hasPrefix("[") ? String(rest.dropFirst().dropLast()) : rest
        guard !host.isEmpty else { throw EnvValueProblem("has no host") }
        guard !user.isEmpty else { throw EnvValueProblem("has no user name") }
        database = path.isEmpty ? user : (path.removingPercentEncoding ?? path)
        requireTLS = false
        for item in query.split(separator: "&") {
            let (name, value) = String(item).splitOnce("=")
            guard name == "sslmode" else { continue }
            switch value {
            case "disable", "allow", "prefer": requireTLS = false
            case "require", "verify-ca", "verify-full": requireTLS = true
            default: throw EnvValueProblem("has an unknown sslmode \"\(value ?? "")\"")
            }
        }
    }
}
