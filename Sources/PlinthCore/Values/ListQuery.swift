import Foundation

/// Which items of a collection a list endpoint returns: the order, where to start and stop, and how many.
///
/// Collections are ordered by `created_at` then `id` (a total order, so keyset paging never skips
/// or repeats an item), or by `id`; the `Range` header selects the order and the start.
public struct ListQuery: Sendable, Equatable {
    /// The sort key: `created_at` (then `id`, so the order is total) or `id`.
    public enum Field: String, Sendable, CaseIterable {
        /// Order by `created_at, id`.
        case createdAt = "created_at"
        /// Order by `id`.
        case id
    }

    /// A position in the order: a `created_at` (optionally with the `id` that breaks ties) or an `id`.
    public struct Position: Sendable, Equatable {
        /// The `created_at` of the position (for `created_at` ranges).
        public var createdAt: Timestamp?
        /// The id of the position (the tie-breaker for `created_at`, the key for `id`).
        public var id: UUID?

        /// Creates a position.
        public init(createdAt: Timestamp? = nil, id: UUID? = nil) {
            self.createdAt = createdAt
            self.id = id
        }
    }

    /// The sort key.
    public var field: Field
    /// Whether the order is descending.
    public var descending: Bool
    /// Start here (inclusive unless `startExclusive`).
    public var start: Position?
    /// Whether the start position itself is skipped.
    public var startExclusive: Bool
    /// Stop after this position (inclusive).
    public var end: Position?
    /// The most items returned.
    public var limit: Int

    /// Creates a query; by default the first `limit` posts by `created_at, id`.
    public init(
        field: Field = .createdAt,
        descending: Bool = false,
        start: Position? = nil,
        startExclusive: Bool = false,
        end: Position? = nil,
        limit: Int
    ) {
        self.field = field
        self.descending = descending
        self.start = start
        self.startExclusive = startExclusive
        self.end = end
        self.limit = limit
    }
}

/// An item of a collection that ``ListQuery`` pages through: a model, or a row read in place.
public protocol ListItem {
    /// The item's UUID.
    var id: UUID { get }
    /// When it was created.
    var createdAt: Timestamp { get }
}
