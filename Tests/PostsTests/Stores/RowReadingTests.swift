import Foundation
import Plinth
import PlinthCore
import PlinthDatabase
import PostsCore
import Testing

/// Rows are read in place from the driver's memory: what a store holds that the app did not write
/// must still come out as valid JSON, or as a clear error, never as wrong bytes.
@Suite struct RowReadingTests {
    @Test func invalidUTF8InSQLiteTextIsRepairedNotCopied() async throws {
        try await TestDatabase.with(.sqlite) { _, store in
            let post = Fixtures.posts(1, perSecond: 1)[0]
            try await store.insert(post)
            // A title written by another program: "a", a lone lead byte, "(".
            try await store.database.execute("test", SQL(unsafe: "UPDATE posts SET title = CAST(x'61C328' AS TEXT)"))
            var page = try await store.list(ListQuery(limit: 10), into: PageWriter(limit: 10, pretty: false)) {
                $0.append($1, PostSerializer.write)
            }
            let body = page.finish()
            let text = try #require(String(validating: body.readableBytesView, as: UTF8.self))
            #expect(text.contains(#""title":"a\#u{FFFD}(""#))
            #expect(try await store.find(id: post.id)?.title == "a\u{FFFD}(")
        }
    }

    @Test(arguments: StoreKind.available)
    func aColumnOfTheWrongTypeIsCorruptNotGuessed(kind: StoreKind) async throws {
        try await TestDatabase.with(kind) { _, store in
            let database = store.database
            await #expect(throws: StoreError.self) {
                _ = try await database.query("test", "SELECT 42") { try $0.uuid() }
            }
            await #expect(throws: StoreError.self) {
                _ = try await database.query("test", "SELECT 'not a time'") { try $0.timestamp() }
            }
            let rows = try await database.query("test", "SELECT 'x', 7") { (try $0.text(), try $0.int()) }
            #expect(rows.map(\.0) == ["x"] && rows.map(\.1) == [7])
        }
    }
}
