import PlinthDatabase
import Testing

@Suite struct SQLRowTests {
    @Test(arguments: StoreKind.available)
    func booleansReadBackAsWrittenAndAnythingElseIsCorrupt(kind: StoreKind) async throws {
        try await TestDatabase.with(kind, migrated: false) { database, _ in
            try await database.withDatabase { opened in
                let values = try await opened.first("bools", "SELECT \(true), \(false)") { row in (try row.bool(), try row.bool()) }
                #expect(values?.0 == true && values?.1 == false)
                let notABoolean: SQL = opened.dialect == .sqlite ? "SELECT 2" : "SELECT 2::int"
                await #expect(throws: StoreError.self) { _ = try await opened.first("bools", notABoolean) { try $0.bool() } }
            }
        }
    }
}
