/// One versioned schema change, in each store's dialect.
///
/// Migrations are applied in `id` order and recorded, so each runs once per database.
public struct Migration: Sendable {
    /// The version, sortable: `0001_create_posts`.
    public let id: String
    /// The statements for SQLite.
    public let sqlite: [String]
    /// The statements for PostgreSQL.
    public let postgres: [String]

    /// Every migration of the app, oldest first.
    public static let all: [Migration] = [.createPosts, .notifyPostChanges]
}
