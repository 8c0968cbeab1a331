import PlinthDatabase

/// Every migration of the app, oldest first: `posts migrate` applies them, `posts migrate rollback` reverts them.
public enum AppMigrations {
    /// All of them, in order.
    public static let all: [Migration] = [
        createPosts,
        notifyPostChanges,
        createComments,
        notifyCommentChanges,
        // plinth: migrations
    ]

    /// The tables whose changes drop cached pages (each has a `Migration.notifyChanges` trigger).
    public static let tables: [String] = [
        "posts",
        "comments",
        // plinth: tables
    ]

    /// `0001_create_posts`: the posts table and its `(created_at, id)` index.
    ///
    /// SQLite keeps ids as lowercase text and timestamps as `YYYY-MM-DDTHH:MM:SSZ` text, which
    /// sort as PostgreSQL's `uuid` and `timestamptz` do, so both stores page identically.
    static let createPosts = Migration(
        id: "0001_create_posts",
        sqlite: .init(
            up: [
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
            down: ["DROP TABLE posts"]
        ),
        postgres: .init(
            up: [
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
            ],
            down: ["DROP TABLE posts"]
        )
    )

    /// `0002_notify_post_changes`: every statement that changes `posts` sends `NOTIFY posts_changed`,
    /// so writes from anywhere (another instance, `posts seed`, `psql`) drop every instance's cached pages.
    static let notifyPostChanges = Migration.notifyChanges(id: "0002_notify_post_changes", table: "posts")

    /// `0003_create_comments`: comments, deleted with their post, listed by `(post_id, created_at, id)`.
    static let createComments = Migration(
        id: "0003_create_comments",
        sqlite: .init(
            up: [
                """
                CREATE TABLE comments (
                    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
                    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
                    author TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_at TEXT NOT NULL CHECK (length(created_at) = 20),
                    updated_at TEXT NOT NULL CHECK (length(updated_at) = 20)
                )
                """,
                "CREATE INDEX comments_post_id_created_at_id ON comments (post_id, created_at, id)",
            ],
            down: ["DROP TABLE comments"]
        ),
        postgres: .init(
            up: [
                """
                CREATE TABLE comments (
                    id uuid PRIMARY KEY,
                    post_id uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
                    author text NOT NULL,
                    body text NOT NULL,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX comments_post_id_created_at_id ON comments (post_id, created_at, id)",
            ],
            down: ["DROP TABLE comments"]
        )
    )

    /// `0004_notify_comment_changes`: as for posts (cascaded deletes fire it too).
    static let notifyCommentChanges = Migration.notifyChanges(id: "0004_notify_comment_changes", table: "comments")
}
