import Foundation
import Plinth
import PlinthCore
import Testing

@Suite struct TimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)), ("2015-03-01T12:00:52Z", 1_425_211_252), ("2000-02-29T23:59:59Z", 951_868_799),
        ("1969-12-31T23:59:59Z", -1), ("2038-01-19T03:14:08Z", 2_147_483_648), ("9999-12-31T23:59:59Z", 253_402_300_799),
    ])
    func formatsAndParses(text: String, seconds: Int64) {
        #expect(Timestamp(iso8601: text)?.secondsSince1970 == seconds)
        #expect(Timestamp(secondsSince1970: seconds).iso8601 == text)
    }

    @Test func agreesWithFoundationOverManyInstants() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        for seconds in stride(from: Int64(-2_000_000_000), to: 4_000_000_000, by: 7_777_777) {
            #expect(Timestamp(secondsSince1970: seconds).iso8601 == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))))
        }
    }

    @Test(arguments: [
        "", "2015-03-01", "2015-03-01T12:00:52", "2015-02-29T00:00:00Z", "2015-13-01T00:00:00Z", "2015-03-01T24:00:00Z", "2015-03-01T12:00:52.5Z",
        "2O15-03-01T12:00:52Z", "2015-03-01T12:00:5:Z", "2015-03-01T12:00:5/Z", "2015-0 -01T12:00:52Z",
    ])
    func rejectsOtherShapes(text: String) {
        #expect(Timestamp(iso8601: text) == nil)
    }

    @Test func writesYearsOutsideFourDigitsAsTheNearestOne() {
        #expect(Timestamp(secondsSince1970: 253_402_300_800).iso8601 == "9999-01-01T00:00:00Z")
        #expect(Timestamp(secondsSince1970: -62_167_219_201).iso8601.hasPrefix("0000-"))
    }

    @Test func acceptsUTCOffsetSpelledOut() {
        #expect(Timestamp(iso8601: "2015-03-01T12:00:52+00:00")?.iso8601 == "2015-03-01T12:00:52Z")
    }
}
