import Foundation
import PlinthCore
import PlinthDatabase
import PostsCore
import Testing

/// Migrations run once per database, also when several instances start at once, and step back with rollback.
@Suite struct MigrationTests {
    static let logger = TestDatabase.logger

    @Test(arguments: StoreKind.available)
    func concurrentMigrationsApplyEachVersionOnce(kind: StoreKind) async throws {
        try await TestDatabase.with(kind, migrated: false) { database, store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await database.withDatabase { other in _ = try await other.migrate(AppMigrations.all, logger: Self.logger) } }
                }
                group.addTask { _ = try await store.database.migrate(AppMigrations.all, logger: Self.logger) }
                try await group.waitForAll()
            }
            try await store.insert(Fixtures.posts(1)[0])
            #expect(try await store.count() == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func statusRollbackAndReapply(kind: StoreKind) async throws {
        try await TestDatabase.with(kind, migrated: false) { _, store in
            let database = store.database
            let ids = AppMigrations.all.map(\.id)
            #expect(try await database.migrationStatus(AppMigrations.all).allSatisfy { !$0.applied })
            #expect(try await database.migrate(AppMigrations.all, logger: Self.logger) == ids)
            #expect(try await database.migrate(AppMigrations.all, logger: Self.logger).isEmpty)
            #expect(try await database.migrationStatus(AppMigrations.all).map(\.applied) == ids.map { _ in true })

            // Rolling back the comments migrations leaves posts and their data alone.
            let post = Fixtures.posts(1)[0]
            try await store.insert(post)
            #expect(try await database.rollback(AppMigrations.all, steps: 2, logger: Self.logger) == Array(ids.suffix(2).reversed()))
            #expect(try await database.migrationStatus(AppMigrations.all).map(\.applied) == [true, true, false, false])
            #expect(try await store.find(id: post.id) == post)
            await #expect(throws: (any Error).self) { try await CommentStore(database: database).find(id: UUID()) }

            // Past the first migration: a clear error, and nothing changes.
            await #expect(throws: MigrationError("cannot roll back 3 migrations: only 2 are applied")) {
                try await database.rollback(AppMigrations.all, steps: 3, logger: Self.logger)
            }
            #expect(try await database.migrationStatus(AppMigrations.all).map(\.applied) == [true, true, false, false])

            #expect(try await database.migrate(AppMigrations.all, logger: Self.logger) == Array(ids.suffix(2)))
            #expect(try await CommentStore(database: database).find(id: UUID()) == nil)
            #expect(try await database.rollback(AppMigrations.all, steps: 4, logger: Self.logger) == ids.reversed())
            #expect(try await database.migrationStatus(AppMigrations.all).allSatisfy { !$0.applied })
            await #expect(throws: MigrationError("cannot roll back 1 migration: only 0 are applied")) {
                try await database.rollback(AppMigrations.all, steps: 1, logger: Self.logger)
            }
        }
    }
}
