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

@Suite struct StreamingSeedTests {
    static func elements(_ text: String, chunkSize: Int) throws -> [String] {
        let reader = JSONArrayReader(data: Data(text.utf8), chunkSize: chunkSize)
        var elements: [String] = []
        while let element = try reader.next() { elements.append(String(decoding: element, as: UTF8.self)) }
        return elements
    }

    @Test func elementsSurviveEveryChunkBoundary() throws {
        let text = #" [ {"a":"x,]}\"[","b":[1,{"c":"\\"}]} , 2,"s\"]",[ ],{} ,null ] "#
        let expected = [#"{"a":"x,]}\"[","b":[1,{"c":"\\"}]}"#, "2", #""s\"]""#, "[ ]", "{}", "null"]
        for chunkSize in 1...12 { #expect(try Self.elements(text, chunkSize: chunkSize) == expected, "chunk \(chunkSize)") }
        #expect(try Self.elements("[]", chunkSize: 1) == [])
    }

    @Test(arguments: ["", "{}", "[", "[1,]", "[,1]", "[1 2]", "[1]x", "[1}", "[\"open]"])
    func notOneArrayIsAFormatError(text: String) {
        #expect(throws: JSONArrayReader.FormatError.self) { _ = try Self.elements(text, chunkSize: 3) }
    }

    @Test(arguments: StoreKind.available)
    func loadsInSmallBatchesAndABadPostLatestStopsEverything(kind: StoreKind) async throws {
        let data = try Fixtures.benchmarkPosts()
        try await TestDatabase.with(kind) { _, store in
            var posts = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
            posts[99]["created_at"] = "not a time"
            let bad = try JSONSerialization.data(withJSONObject: posts)
            await #expect(throws: SeedError.self) { try await SeedLoader(store: store, batchSize: 7).load(bad) }
            #expect(try await store.count() == 0)
            #expect(try await SeedLoader(store: store, batchSize: 7).load(data) == 100)
            #expect(try await store.count() == 100)
            #expect(try await store.list(ListQuery(limit: 1000)).first?.id.lowercasedString == "dadf6879-fed3-4b5f-8d4e-0ce894784ccf")
        }
    }
}

@Suite struct UpsertTests {
    @Test(arguments: StoreKind.available)
    func aRepeatedIDInOneBatchKeepsTheLastAndBatchesOf500Land(kind: StoreKind) async throws {
        try await TestDatabase.with(kind) { _, store in
            var posts = Fixtures.posts(1203, perSecond: 3)
            var within = posts[20]
            within.title = "Second in the same statement"
            posts.insert(within, at: 25)
            var later = posts[10]
            later.title = "The later one"
            posts.append(later)  // in the third statement of 500
            try await store.upsert(posts)
            #expect(try await store.count() == 1203)
            #expect(try await store.find(id: within.id)?.title == "Second in the same statement")
            #expect(try await store.find(id: later.id)?.title == "The later one")
        }
    }
}
