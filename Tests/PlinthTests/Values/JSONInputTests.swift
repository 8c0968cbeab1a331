import Foundation
import PlinthCore
import Testing

@Suite struct JSONInputTests {
    private func input(_ json: String) throws -> JSONInput {
        try JSONInput(json: Data(json.utf8), allowed: ["n", "b", "t", "u"], example: "{}")
    }

    @Test func typedFieldsReadTheirValues() throws {
        var input = try input(#"{"n": -9007199254740991, "b": false, "t": "2015-03-01T12:00:52Z", "u": "0D4F1B1E-8A8E-4C1E-9A37-5B2D7C5E9F10"}"#)
        #expect(input.integer("n", required: true) == -9_007_199_254_740_991)
        #expect(input.bool("b", required: true) == false)
        #expect(input.timestamp("t", required: true) == Timestamp(secondsSince1970: 1_425_211_252))
        #expect(input.uuid("u", required: true)?.lowercasedString == "0d4f1b1e-8a8e-4c1e-9a37-5b2d7c5e9f10")
        #expect(input.problems.isEmpty)
        #expect(input.integer("missing", required: false) == nil && input.problems.isEmpty)
    }

    @Test(arguments: [
        (#"{"n": 1.5}"#, "n must be an integer between"), (#"{"n": 9007199254740992}"#, "n must be an integer between"),
        (#"{"n": "1"}"#, "n must be an integer, not a string"), (#"{"b": 1}"#, "b must be true or false, not a number"),
        (#"{"b": "true"}"#, "b must be true or false, not a string"), (#"{"t": "2015-03-01"}"#, "t must be a UTC time"),
        (#"{"t": 5}"#, "t must be a UTC time"), (#"{"u": "nope"}"#, "u must be a UUID"), (#"{"n": null}"#, "n is required"),
        ("{}", "n is required"),
    ])
    func badValuesAreNamedProblems(json: String, problem: String) throws {
        var input = try input(json)
        _ = input.integer("n", required: json == "{}")
        _ = input.bool("b", required: false)
        _ = input.timestamp("t", required: false)
        _ = input.uuid("u", required: false)
        #expect(input.problems.count == 1)
        #expect(input.problems.first?.hasPrefix(problem) == true, "\(input.problems)")
        #expect(throws: APIError.self) { try input.finish(resource: "thing") }
    }

    @Test func orderedJSONWritesWhatItParsedInOrderAndSetsKeys() throws {
        let text = "{\n  \"b\": [\n    1,\n    \"two \\\"q\\\" \\\\ \\n\"\n  ],\n  \"a\": {},\n  \"c\": []\n}\n"
        let parsed = try OrderedJSON(parsing: Data(text.utf8))
        #expect(parsed.indentedText == text)
        let changed = parsed.setting("a", to: .bool(true)).setting("d", to: .null)
        #expect(changed.members.map(\.key) == ["b", "a", "c", "d"])
        #expect(changed["a"] == .bool(true))
    }
}
