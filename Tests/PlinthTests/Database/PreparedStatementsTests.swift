import Foundation
import PlinthCore
import PlinthTesting
import Testing

@testable import PlinthDatabase

@Suite struct PreparedStatementsTests {
    static let id = UUID(uuidString: "dadf6879-fed3-4b5f-8d4e-0ce894784ccf")!
    static let at = Timestamp(secondsSince1970: 1_425_211_252)

    @Test func everyPlaceholderCarriesItsValuesType() throws {
        let sql: SQL = "SELECT 1 FROM t WHERE id = \(Self.id) AND n < \(5) AND name = \("a") AND flag = \(true) AND at > \(Self.at)"
        let typed = try #require(PreparedStatements.typedStatement(sql))
        #expect(typed.text == "SELECT 1 FROM t WHERE id = $1::uuid AND n < $2::int8 AND name = $3::text AND flag = $4::bool AND at > $5::timestamptz")
        #expect(typed.values.count == 5)
    }

    @Test func aNullValueLeavesTheStatementUnprepared() {
        let sql = SQL(unsafe: "SELECT 1 FROM t WHERE name = ? OR ? IS NULL", values: [.text("a"), .null])
        #expect(PreparedStatements.typedStatement(sql) == nil)
    }

    /// Reads through prepared statements see what one-off statements see, each statement is
    /// prepared once per connection, and NULL values and writes still run.
    @Test(arguments: TestStore.available.filter { $0 == .postgres })
    func readsArePreparedOncePerConnection(store: TestStore) async throws {
        try await TestDatabase.with(store, migrations: []) { _, database in
            let backend = try #require(database.backend as? PostgresBackend)
            try await database.execute(
                "create",
                "CREATE TABLE items (id uuid PRIMARY KEY, name text NOT NULL, n bigint NOT NULL, flag boolean NOT NULL, at timestamptz NOT NULL)")
            try await database.execute("insert", "INSERT INTO items VALUES (\(Self.id), \("it's \"quoted\""), \(7), \(true), \(Self.at))")
            let read: SQL = "SELECT id, name, n, flag, at FROM items WHERE id = \(Self.id) AND n < \(10) AND flag = \(true) AND at >= \(Self.at)"
            for _ in 0..<20 {
                let rows = try await database.query("items.find", read) { row in
                    (try row.uuid(), try row.text(), try row.int(), try row.bool(), try row.timestamp())
                }
                #expect(rows.count == 1)
                #expect(rows.first?.0 == Self.id)
                #expect(rows.first?.1 == "it's \"quoted\"")
                #expect(rows.first?.2 == 7)
                #expect(rows.first?.3 == true)
                #expect(rows.first?.4 == Self.at)
            }
            // The pool has at most 4 connections: at most one statement on each.
            #expect((1...4).contains(backend.statements.count))
            let none = try await database.query("items.none", "SELECT id FROM items WHERE name = \("nobody")") { try $0.uuid() }
            #expect(none.isEmpty)
            let withNull = try await database.query("items.null", SQL(unsafe: "SELECT n FROM items WHERE name IS DISTINCT FROM ?", values: [.null])) {
                try $0.int()
            }
            #expect(withNull == [7])
            #expect((2...8).contains(backend.statements.count))
        }
    }

    /// A statement whose result type a schema change altered runs unprepared once, then is prepared again.
    @Test(arguments: TestStore.available.filter { $0 == .postgres })
    func aStatementInvalidatedByASchemaChangeStillAnswers(store: TestStore) async throws {
        try await TestDatabase.with(store, migrations: []) { _, database in
            let backend = try #require(database.backend as? PostgresBackend)
            try await database.execute("create", "CREATE TABLE things (id uuid PRIMARY KEY, name text NOT NULL)")
            try await database.execute("insert", "INSERT INTO things VALUES (\(Self.id), \("a"))")
            let read: SQL = "SELECT * FROM things WHERE id = \(Self.id)"
            for _ in 0..<8 { #expect(try await database.query("things.find", read) { try $0.uuid() } == [Self.id]) }
            let before = backend.statements.count
            try await database.execute("alter", "ALTER TABLE things ADD COLUMN extra text")
            for _ in 0..<16 { #expect(try await database.query("things.find", read) { try $0.uuid() } == [Self.id]) }
            #expect(backend.statements.count >= 1 && backend.statements.count <= before)
        }
    }

    /// A row the mapping refuses fails the read with the mapping's error, prepared or not, on both stores.
    @Test(arguments: TestStore.available)
    func aRowTheMappingRefusesFailsWithItsOwnError(store: TestStore) async throws {
        try await TestDatabase.with(store, migrations: []) { _, database in
            try await database.execute("create", "CREATE TABLE notes (id integer PRIMARY KEY, body text)")
            try await database.execute("insert", SQL(unsafe: "INSERT INTO notes VALUES " + (1...300).map { "(\($0), 'x')" }.joined(separator: ", ")))
            let prepared: SQL = "SELECT body FROM notes WHERE id >= \(1) ORDER BY id"
            let oneOff = SQL(unsafe: "SELECT body FROM notes WHERE body IS DISTINCT FROM ?", values: [.null])
            for sql in [prepared, oneOff] {
                await #expect {
                    _ = try await database.query("notes.read", sql) { row in try row.uuid() }  // text, not a UUID
                } throws: { error in
                    (error as? StoreError)?.kind == .corrupt
                }
            }
            #expect(try await database.query("notes.read", prepared) { try $0.text() }.count == 300)
        }
    }
}
