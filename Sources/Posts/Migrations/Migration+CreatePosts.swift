extension Migration {
    /// `0001_create_posts`: the posts table and its `(created_at, id)` index.
    ///
    /// SQLite keeps ids as lowercase text and timestamps as `YYYY-MM-DDTHH:MM:SSZ` text, which
    /// sort as PostgreSQL's `uuid` and `timestamptz` do, so both stores page identically.
    static let createPosts = Migration(
        id: "0001_create_posts",
        sqlite: [
            """
            CREATE TABLE posts (
                id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at TEXT NOT NULL CHECK (length(created_at) = 20),
                updated_at TEXT NOT NULL CHECK (length(updated_at) = 20)
            )
            """,
            "CREATE INDEX posts_created_at_id ON posts (created_at, id)",
        ],
        postgres: [
            """
            CREATE TABLE posts (
                id uuid PRIMARY KEY,
                title text NOT NULL,
                body text NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX posts_created_at_id ON posts (created_at, id)",
        ]
    )
}
