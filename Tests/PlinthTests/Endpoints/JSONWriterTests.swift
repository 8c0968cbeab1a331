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
