import Foundation
import NIOCore
import Plinth
import PlinthCore
import Testing

@Suite struct JSONWriterTests {
    static func write(_ value: String) -> String {
        var writer = JSONWriter(buffer: ByteBuffer())
        writer.string(value)
        return String(buffer: writer.buffer)
    }

    @Test func escapesLikePythonsCompactEncoder() {
        #expect(Self.write("plain") == #""plain""#)
        #expect(Self.write("q\"b\\s/") == #""q\"b\\s/""#)
        #expect(Self.write("\n\r\t\u{08}\u{0C}") == #""\n\r\t\b\f""#)
        #expect(Self.write("\u{00}\u{1F}\u{7F}") == "\"\\u0000\\u001f\u{7F}\"")
        #expect(Self.write("<script>é🚀Ж") == "\"<script>é🚀Ж\"")
    }

    /// Property: any string, written and read back with Foundation's decoder, is unchanged.
    @Test func roundTripsRandomHostileStrings() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Character] = [
            "a", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "é", "🚀", "Ж", "\u{2028}", "<", " ", "\u{FFFF}", "👩‍👩‍👧",
        ]
        for _ in 0..<2000 {
            let length = Int.random(in: 0...40, using: &generator)
            let value = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            let decoded = try JSONDecoder().decode(String.self, from: Data(Self.write(value).utf8))
            #expect(decoded == value)
        }
    }

    @Test func compactAndPrettyStructures() throws {
        func document(pretty: Bool) -> String {
            var writer = JSONWriter(buffer: ByteBuffer(), pretty: pretty)
            writer.beginArray()
            writer.beginObject()
            writer.key("a")
            writer.integer(1)
            writer.key("b")
            writer.beginArray()
            writer.endArray()
            writer.key("c")
            writer.bool(true)
            writer.key("d")
            writer.null()
            writer.endObject()
            writer.beginObject()
            writer.endObject()
            writer.endArray()
            return String(buffer: writer.buffer)
        }
        #expect(document(pretty: false) == #"[{"a":1,"b":[],"c":true,"d":null},{}]"#)
        #expect(document(pretty: true) == "[\n  {\n    \"a\": 1,\n    \"b\": [],\n    \"c\": true,\n    \"d\": null\n  },\n  {}\n]")
    }
}

@Suite struct JSONWriterEscapingTests {
    @Test func matchesFoundationOnEveryByteAndLongRuns() throws {
        var text = (0..<128).map { String(UnicodeScalar(UInt8($0))) }.joined()
        text += "Нагрузочное 🚀 <script>alert('x')</script> & \\ \"quoted\"" + String(repeating: "long run ", count: 2000)
        var writer = JSONWriter(buffer: ByteBufferAllocator().buffer(capacity: 8))
        writer.beginArray()
        writer.string(text)
        writer.string("")
        writer.string("\u{1}\u{1f}")
        writer.endArray()
        let decoded = try JSONSerialization.jsonObject(with: Data(writer.buffer.readableBytesView)) as? [String]
        #expect(decoded == [text, "", "\u{1}\u{1f}"])
        #expect(String(buffer: writer.buffer).hasSuffix(#","","\u0001\u001f"]"#))
    }
}

@Suite struct JSONWriterFastPathTests {
    /// The 8-bytes-at-a-time scan agrees with the byte test for every byte value at every position.
    @Test func wordScanFindsEveryByteThatNeedsEscaping() {
        for length in [1, 7, 8, 9, 16, 23] {
            for position in 0..<length {
                for value in 0...255 {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes[position] = UInt8(value)
                    let expected = value < 0x20 || value == 0x22 || value == 0x5C
                    let written = bytes.withUnsafeBytes { raw in
                        var writer = JSONWriter(buffer: ByteBuffer())
                        writer.string(utf8: raw)
                        return writer.buffer.readableBytes
                    }
                    #expect((written > length + 2) == expected, "byte \(value) at \(position) of \(length)")
                }
            }
        }
    }

    @Test func writesUUIDsAndTimestampsAsTheirStrings() {
        let id = UUID()
        let time = Timestamp(iso8601: "2015-03-01T12:00:52Z")!
        var writer = JSONWriter(buffer: ByteBuffer())
        writer.beginArray()
        writer.uuid(id)
        writer.timestamp(time)
        writer.endArray()
        #expect(String(buffer: writer.buffer) == "[\"\(id.uuidString.lowercased())\",\"2015-03-01T12:00:52Z\"]")
    }

    @Test func pageWriterHoldsItsLimitAndSaysWhenMoreFollow() {
        struct Item: ListItem {
            let id = UUID()
            let createdAt: Timestamp
        }
        let items = (0..<3).map { Item(createdAt: Timestamp(secondsSince1970: Int64($0))) }
        var page = PageWriter(limit: 2, pretty: false)
        for item in items { page.append(item) { item, writer in writer.timestamp(item.createdAt) } }
        #expect(page.count == 2)
        #expect(page.hasMore)
        #expect(page.last?.id == items[1].id)
        #expect(String(buffer: page.finish()) == #"["1970-01-01T00:00:00Z","1970-01-01T00:00:01Z"]"#)
        var empty = PageWriter(limit: 2, pretty: true)
        #expect(empty.last == nil && !empty.hasMore)
        #expect(String(buffer: empty.finish()) == "[]")
    }

    /// Property: a page is the bytes one writer writes for its items in an array, whatever their
    /// sizes: rows from a few bytes to many times the room a row is first given, escapes included.
    @Test func pageIsWhatOneWriterWrites() {
        struct Item: ListItem {
            let id = UUID()
            let createdAt = Timestamp(secondsSince1970: 1_425_211_252)
            let text: String
            let number: Int
        }
        func write(_ item: Item, _ writer: inout JSONWriter) {
            writer.beginObject()
            writer.key("id")
            writer.uuid(item.id)
            writer.key("text")
            writer.string(item.text)
            writer.key("tags")
            writer.beginArray()
            writer.integer(item.number)
            writer.bool(item.number % 2 == 0)
            writer.null()
            writer.endArray()
            writer.key("created_at")
            writer.timestamp(item.createdAt)
            writer.endObject()
        }
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "é", "🚀", "\"", "\\", "\n", "\u{01}", "plain text "]
        for pretty in [false, true] {
            for _ in 0..<20 {
                let items = (0..<Int.random(in: 0...12, using: &generator)).map { _ in
                    let length = [0, 5, 300, 1_500, 9_000].randomElement(using: &generator)!
                    let text = (0..<length).map { _ in pieces.randomElement(using: &generator)! }.joined()
                    return Item(text: text, number: Int.random(in: -1_000_000...1_000_000, using: &generator))
                }
                var page = PageWriter(limit: 10, pretty: pretty, capacity: 64)
                for item in items { page.append(item, write) }
                var expected = JSONWriter(buffer: ByteBuffer(), pretty: pretty)
                expected.beginArray()
                for item in items.prefix(10) { write(item, &expected) }
                expected.endArray()
                #expect(String(buffer: page.finish()) == String(buffer: expected.buffer))
                #expect(page.hasMore == (items.count > 10))
            }
        }
    }
}

@Suite struct UTF8ValidationTests {
    /// Property: agrees with the standard library's decoder on random bytes biased to UTF-8's edges.
    @Test func agreesWithTheStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [
            [0x61], [0x7F], [0xC2, 0x80], [0xC0, 0x80], [0xE0, 0xA0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xEF, 0xBF, 0xBF],
            [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5], [0x80], [0xFF], Array("abcdefgh".utf8),
        ]
        for _ in 0..<5000 {
            let bytes = (0..<Int.random(in: 0...6, using: &generator)).flatMap { _ in pieces.randomElement(using: &generator)! }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(bytes.withUnsafeBytes { isValidUTF8($0) } == expected, "\(bytes)")
        }
    }

    /// Property: the escape check made with the validation finds exactly the bytes JSON escapes,
    /// in the 8-byte words and in the bytes between multi-byte characters alike.
    @Test func findsTheBytesJSONEscapes() {
        var generator = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [
            [0x61], [0x22], [0x5C], [0x00], [0x1F], [0x20], [0x7F], [0xC3, 0xA9], [0xF0, 0x9F, 0x9A, 0x80], [0xC0, 0x80],
            Array("abcdefgh".utf8), Array("abc\"efgh".utf8), Array("abcdefg\n".utf8),
        ]
        for _ in 0..<5000 {
            let bytes = (0..<Int.random(in: 0...8, using: &generator)).flatMap { _ in pieces.randomElement(using: &generator)! }
            let valid = String(validating: bytes, as: UTF8.self) != nil
            let escapes = bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
            #expect(bytes.withUnsafeBytes { utf8NeedsJSONEscaping($0) } == (valid ? escapes : nil), "\(bytes)")
        }
    }
}
