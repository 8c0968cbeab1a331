import Foundation
import PlinthCore

extension ResourceEndpoints {
    /// Turns a parsed `Range` header into a list query; 416 for values of the wrong shape.
    ///
    /// `created_at` values are `2015-03-01T12:00:52Z`, optionally followed by `/<id>` to place the
    /// start between posts of the same second (as `Next-Range` does); `id` values are UUIDs.
    static func listQuery(_ range: RangeHeader?, noun: String) throws -> ListQuery {
        guard let range else { return ListQuery(limit: defaultPageSize) }
        let field = ListQuery.Field(rawValue: range.field) ?? .createdAt
        func position(_ text: String?, allowTieBreaker: Bool) throws -> ListQuery.Position? {
            guard let text else { return nil }
            switch field {
            case .id:
                guard let id = UUID(canonical: text) else { throw invalid("\"\(text.prefix(64))\" is not a \(noun) id") }
                return .init(id: id)
            case .createdAt:
                let (time, idText) = text.splitOnce("/")
                guard let createdAt = Timestamp(iso8601: time) else {
                    throw invalid("\"\(time.prefix(64))\" is not a timestamp like 2015-03-01T12:00:52Z")
                }
                guard let idText else { return .init(createdAt: createdAt) }
                guard allowTieBreaker, let id = UUID(canonical: idText) else {
                    throw invalid("\"\(idText.prefix(64))\" is not a \(noun) id")
                }
                return .init(createdAt: createdAt, id: id)
            }
        }
        return ListQuery(
            field: field,
            descending: range.descending,
            start: try position(range.start, allowTieBreaker: true),
            startExclusive: range.startExclusive,
            end: try position(range.end, allowTieBreaker: false),
            limit: range.max
        )
    }

    /// The `Next-Range` that continues strictly after `last`, keeping the end, order and page size.
    static func nextRange(after last: (id: UUID, createdAt: Timestamp), query: ListQuery, range: RangeHeader?) -> String {
        let start =
            switch query.field {
            case .createdAt: "\(last.createdAt.iso8601)/\(last.id.lowercasedString)"
            case .id: last.id.lowercasedString
            }
        var next = range ?? RangeHeader(field: query.field.rawValue, max: query.limit - 1)
        next.start = start
        next.startExclusive = true
        return next.headerValue
    }

    private static func invalid(_ problem: String) -> APIError {
        APIError(.requestedRangeNotSatisfiable, message: "Invalid Range header: \(problem).")
    }
}
