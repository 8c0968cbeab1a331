import HTTPTypes
import Hummingbird
import PlinthCore

/// Checks `Authorization: Bearer <token>` against the configured token in constant time.
public struct BearerToken: Sendable {
    private let expected: [UInt8]

    /// Creates a checker for `token`.
    public init(_ token: String) {
        self.expected = Array(token.utf8)
    }

    /// Throws 401 `unauthorized` unless `request` carries the token.
    public func authorize(_ request: Request) throws {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, message: "Authorization required: send `Authorization: Bearer <token>`.")
        }
        let scheme = header.prefix(7)
        guard scheme.lowercased() == "bearer ", Self.constantTimeEquals(Array(header.utf8.dropFirst(7)), expected) else {
            throw APIError(.unauthorized, message: "Invalid token: send `Authorization: Bearer <token>` with this server's API_TOKEN.")
        }
    }

    /// Compares every byte whatever the first difference, so timing does not reveal the token.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: lhs.count ^ rhs.count)
        for index in 0..<Swift.max(lhs.count, rhs.count) {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0 && lhs.count == rhs.count
    }
}
