import Plinth
import PlinthCore
import Testing

@Suite struct RangeHeaderTests {
    static func parse(_ text: String) throws -> RangeHeader {
        try RangeHeader(parsing: text, fields: ["created_at", "id"], defaultMax: 200, maxCap: 1000)
    }

    @Test func parsesHerokuForms() throws {
        #expect(try Self.parse("created_at ..") == RangeHeader(field: "created_at", max: 200))
        #expect(try Self.parse("id ..; max=10, order=desc") == RangeHeader(field: "id", max: 10, descending: true))
        #expect(try Self.parse("created_at a..b; max=5") == RangeHeader(field: "created_at", start: "a", end: "b", max: 5))
        #expect(try Self.parse("created_at ]a..; max=5000") == RangeHeader(field: "created_at", start: "a", startExclusive: true, max: 1000))
        #expect(try Self.parse("  id  ..  ;  max=3 ; order=asc ") == RangeHeader(field: "id", max: 3))
    }

    @Test func headerValueRoundTrips() throws {
        let range = RangeHeader(field: "created_at", start: "x/y", startExclusive: true, end: "z", max: 7, descending: true)
        #expect(range.headerValue == "created_at ]x/y..z; max=7, order=desc")
        #expect(try Self.parse(range.headerValue) == range)
    }

    @Test(arguments: [
        "name ..", "created_at ..; max=0", "created_at ..; max=x", "created_at ..; order=up", "created_at ..; foo=1", "created_at ]..",
        "created_at a-b", String(repeating: "x", count: 600),
    ])
    func rejectsWith416(text: String) {
        #expect {
            _ = try Self.parse(text)
        } throws: { error in
            (error as? APIError)?.kind == .requestedRangeNotSatisfiable
        }
    }
}
