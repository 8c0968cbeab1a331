import Foundation
import Plinth
import PlinthCore
import PlinthDatabase
import Posts
import PostsCore
import Testing

@Suite struct SeedLoaderTests {
    @Test(arguments: StoreKind.available)
    func seedingTwiceLeavesTheSame100Posts(kind: StoreKind) async throws {
        let data = try Fixtures.benchmarkPosts()
        try await TestDatabase.with(kind) { _, store in
            #expect(try await SeedLoader(store: store).load(data) == 100)
            let first = try await store.list(ListQuery(limit: 1000))
            #expect(try await SeedLoader(store: store).load(data) == 100)
            #expect(try await store.count() == 100)
            #expect(try await store.list(ListQuery(limit: 1000)) == first)
            #expect(first.first?.id.lowercasedString == "dadf6879-fed3-4b5f-8d4e-0ce894784ccf")
            #expect(first.first?.createdAt.iso8601 == "2015-03-01T12:00:52Z")
            #expect(first.first?.updatedAt.iso8601 == "2015-03-02T08:00:52Z")
        }
    }

    @Test(arguments: [
        "{}", "[{\"id\":\"x\"}]",
        #"[{"id":"nope","title":"t","body":"b","created_at":"2015-03-01T12:00:52Z","updated_at":"2015-03-01T12:00:52Z"}]"#,
        #"[{"id":"dadf6879-fed3-4b5f-8d4e-0ce894784ccf","title":"t","body":"b","created_at":"yesterday","updated_at":"2015-03-01T12:00:52Z"}]"#,
    ])
    func badFilesAreRefusedWholeAndWriteNothing(json: String) async throws {
        try await TestDatabase.with(.sqlite) { _, store async throws -> Void in
            await #expect(throws: SeedError.self) { try await SeedLoader(store: store).load(Data(json.utf8)) }
            #expect(try await store.count() == 0)
        }
    }
}
