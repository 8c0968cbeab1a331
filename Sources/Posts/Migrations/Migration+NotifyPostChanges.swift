extension Migration {
    /// `0002_notify_post_changes`: every statement that changes `posts` sends `NOTIFY posts_changed`.
    ///
    /// A statement-level trigger, so writes from anywhere (another instance, `posts seed`, `psql`)
    /// reach every listening instance, which drops its cached pages; PostgreSQL delivers the
    /// notification when the writing transaction commits. SQLite has no cross-process
    /// notifications: there the cache's 1 s maximum age bounds what another process's write leaves stale.
    static let notifyPostChanges = Migration(
        id: "0002_notify_post_changes",
        sqlite: [],
        postgres: [
            """
            CREATE OR REPLACE FUNCTION posts_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(Migration.postsChangedChannel)', '');
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER posts_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON posts
            FOR EACH STATEMENT EXECUTE FUNCTION posts_notify_change()
            """,
        ]
    )

    /// The PostgreSQL notification channel of changes to `posts`.
    static let postsChangedChannel = "posts_changed"
}
