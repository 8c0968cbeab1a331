import Foundation
import NIOCore

/// Writes JSON straight into a `ByteBuffer`, compact or pretty, with no intermediate values.
///
/// Escapes as Python's and Ruby's encoders do: `"` `\` and control characters; `/`, `<` and
/// non-ASCII text pass through as UTF-8. Hand-written rather than `JSONEncoder` because
/// `GET /posts` encodes 500 strings per request and Foundation's encoder costs ~640 µs there.
/// ```swift
/// var writer = JSONWriter(buffer: allocator.buffer(capacity: 256))
/// writer.beginObject()
/// writer.key("id")
/// writer.string("not_found")
/// writer.endObject()
/// ```
public struct JSONWriter: Sendable {
    /// The bytes written so far.
    public var buffer: ByteBuffer {
        get { storage ?? ByteBuffer() }
        _modify {
            precondition(storage != nil, "a writer in a window has no buffer of its own")
            yield &storage!
        }
    }
    /// `nil` in a writer in a window: holding any `ByteBuffer` there, even a shared empty one, cost a
    /// retain and a release per row on one reference count that every core touches.
    private var storage: ByteBuffer?
    /// Whether to indent with two spaces and put one member per line.
    public let pretty: Bool
    private var depth = 0
    private var needsComma = false
    private var afterKey = false
    /// Where ``writingInWindow(capacity:_:)`` has this write instead of `buffer`: memory reserved at
    /// the end of the buffer for the duration of that call only.
    private nonisolated(unsafe) var window: UnsafeMutableRawBufferPointer?
    private var windowUsed = 0
    private var overflowed = false

    /// Creates a writer appending to `buffer`.
    public init(buffer: ByteBuffer, pretty: Bool = false) {
        self.storage = buffer
        self.pretty = pretty
    }

    private init(pretty: Bool) {
        self.storage = nil
        self.pretty = pretty
    }

    /// Opens an object `{`.
    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    /// Closes an object `}`.
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    /// Opens an array `[`.
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    /// Closes an array `]`.
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Writes an object member's key, as it is (it must need no escaping); the value follows.
    public mutating func key(_ name: StaticString) {
        let count = name.utf8CodeUnitCount
        assert(!Self.needsEscaping(UnsafeRawBufferPointer(start: name.utf8Start, count: count)), "a key that needs escaping")
        let (comma, indent, pretty) = (needsComma && !afterKey, pretty ? depth * 2 : -1, pretty)
        // One write for the separator, the quoted key and the colon: ByteBuffer's per-call checks
        // cost more than the bytes (~8% of an uncached `GET /posts` as separate writes).
        put(count + indent + 6) { out in
            var position = Self.putSeparator(into: out, comma: comma, indent: indent)
            out[position] = UInt8(ascii: "\"")
            UnsafeMutableRawBufferPointer(rebasing: out[(position + 1)...]).copyMemory(
                from: UnsafeRawBufferPointer(start: name.utf8Start, count: count))
            position += count + 1
            out[position] = UInt8(ascii: "\"")
            out[position + 1] = UInt8(ascii: ":")
            position += 2
            if pretty {
                out[position] = UInt8(ascii: " ")
                position += 1
            }
            return position
        }
        needsComma = false
        afterKey = true
    }

    /// Writes a string value: a `String`, or text read in place from a database row.
    @inlinable
    public mutating func string(_ value: some UTF8Text) {
        let needsEscaping = value.needsJSONEscaping
        value.withUTF8Bytes { string(utf8: $0, needsEscaping: needsEscaping) }
    }

    /// Writes a string value from its UTF-8 bytes, which must be valid UTF-8; `needsEscaping`, when
    /// given, says whether any byte needs an escape (found as the text was read), so the bytes are
    /// not scanned again.
    public mutating func string(utf8 bytes: UnsafeRawBufferPointer, needsEscaping: Bool? = nil) {
        separate()
        writeEscaped(bytes, needsEscaping: needsEscaping ?? Self.needsEscaping(bytes))
        needsComma = true
    }

    /// Writes a UUID as a string in its lowercase canonical form, straight from its 16 bytes.
    public mutating func uuid(_ id: UUID) {
        quoted(count: 36) { id.writeLowercased(into: $0) }
    }

    /// Writes a timestamp as a string, `"2015-03-01T12:00:52Z"`.
    public mutating func timestamp(_ timestamp: Timestamp) {
        quoted(count: 20) { timestamp.writeISO8601(into: $0) }
    }

    /// Writes a string value of `count` bytes that need no escaping, which `write` puts in place.
    private mutating func quoted(count: Int, _ write: (UnsafeMutableRawBufferPointer) -> Void) {
        separate()
        put(count + 2) { out in
            out[0] = UInt8(ascii: "\"")
            write(UnsafeMutableRawBufferPointer(rebasing: out[1...count]))
            out[count + 1] = UInt8(ascii: "\"")
            return count + 2
        }
        needsComma = true
    }

    /// Writes an integer value.
    public mutating func integer(_ value: Int) {
        separate()
        write(String(value))
        needsComma = true
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        separate()
        write(value ? "true" : "false")
        needsComma = true
    }

    /// Writes `null`.
    public mutating func null() {
        separate()
        write("null")
        needsComma = true
    }

    /// Runs `body`, whose writes go to `capacity` bytes reserved at the end of `buffer` at once
    /// rather than through a `ByteBuffer` call each (which cost more than the bytes of a row's
    /// values); returns `false`, having written nothing, when they did not fit.
    mutating func writingInWindow(capacity: Int, _ body: (inout JSONWriter) throws -> Void) rethrows -> Bool {
        var inWindow = JSONWriter(pretty: pretty)
        (inWindow.depth, inWindow.needsComma, inWindow.afterKey) = (depth, needsComma, afterKey)
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { window in
            inWindow.window = window
            try body(&inWindow)
            inWindow.window = nil
            return inWindow.overflowed ? 0 : inWindow.windowUsed
        }
        guard !inWindow.overflowed else { return false }
        (depth, needsComma, afterKey) = (inWindow.depth, inWindow.needsComma, inWindow.afterKey)
        return true
    }

    /// Writes up to `capacity` bytes with `fill`, which returns how many it wrote: into the window
    /// when there is one (once a write does not fit, nothing more is written there), else at the
    /// end of `buffer`.
    @inline(__always)
    private mutating func put(_ capacity: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Int) {
        guard let window else {
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity, fill)
            return
        }
        guard !overflowed, window.count - windowUsed >= capacity else {
            overflowed = true
            return
        }
        windowUsed += fill(UnsafeMutableRawBufferPointer(rebasing: window[windowUsed..<windowUsed + capacity]))
    }

    private mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            put(bytes.count) { out in
                out.copyMemory(from: UnsafeRawBufferPointer(bytes))
                return bytes.count
            }
        }
    }

    private mutating func write(_ text: StaticString) {
        put(text.utf8CodeUnitCount) { out in
            out.copyMemory(from: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
            return text.utf8CodeUnitCount
        }
    }

    private mutating func open(_ byte: UInt8) {
        separate(then: byte)
        depth += 1
        needsComma = false
    }

    private mutating func close(_ byte: UInt8) {
        depth -= 1
        let indent = pretty && needsComma ? depth * 2 : -1
        put(indent + 2) { out in
            let position = Self.putSeparator(into: out, comma: false, indent: indent)
            out[position] = byte
            return position + 1
        }
        needsComma = true
    }

    /// Writes the comma (and newline) due before a key or value, then `byte` if given, in one write;
    /// a value right after its key needs no separator.
    private mutating func separate(then byte: UInt8? = nil) {
        let afterKey = self.afterKey
        self.afterKey = false
        let comma = needsComma && !afterKey
        let indent = pretty && depth > 0 && !afterKey ? depth * 2 : -1
        guard comma || indent >= 0 || byte != nil else { return }
        put(indent + 3) { out in
            let position = Self.putSeparator(into: out, comma: comma, indent: indent)
            guard let byte else { return position }
            out[position] = byte
            return position + 1
        }
    }

    /// Puts a comma if asked, then a newline and `indent` spaces unless `indent` is negative, at the
    /// start of `out`; returns how many bytes it put.
    private static func putSeparator(into out: UnsafeMutableRawBufferPointer, comma: Bool, indent: Int) -> Int {
        var position = 0
        if comma {
            out[0] = UInt8(ascii: ",")
            position = 1
        }
        if indent >= 0 {
            out[position] = UInt8(ascii: "\n")
            for offset in 0..<indent { out[position + 1 + offset] = UInt8(ascii: " ") }
            position += indent + 1
        }
        return position
    }

    /// Writes `bytes` quoted and escaped, straight into the buffer's memory. Most text needs no
    /// escape: a scan 8 bytes at a time finds that out and the text is copied whole (byte-at-a-time
    /// `ByteBuffer` writes took ~20% of an uncached `GET /posts`, the per-byte scan ~5%).
    private mutating func writeEscaped(_ bytes: UnsafeRawBufferPointer, needsEscaping: Bool) {
        guard needsEscaping else {
            put(bytes.count + 2) { raw in
                raw[0] = UInt8(ascii: "\"")
                if !bytes.isEmpty { UnsafeMutableRawBufferPointer(rebasing: raw[1...]).copyMemory(from: bytes) }
                raw[bytes.count + 1] = UInt8(ascii: "\"")
                return bytes.count + 2
            }
            return
        }
        var extra = 0
        for byte in bytes where Self.needsEscaping(byte) { extra += Self.escapedLength(byte) - 1 }
        let total = bytes.count + extra + 2
        put(total) { raw in
            let out = raw.bindMemory(to: UInt8.self)
            out[0] = UInt8(ascii: "\"")
            var position = 1
            for byte in bytes {
                guard Self.needsEscaping(byte) else {
                    out[position] = byte
                    position += 1
                    continue
                }
                position += Self.writeEscape(byte, into: out, at: position)
            }
            out[total - 1] = UInt8(ascii: "\"")
            return total
        }
    }

    static func needsEscaping(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Whether any byte is a control character, `"` or `\\`, tested 8 bytes at a time.
    static func needsEscaping(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset + 8 <= bytes.count {
            if needsEscaping(word: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) { return true }
            offset += 8
        }
        while offset < bytes.count {
            if needsEscaping(bytes[offset]) { return true }
            offset += 1
        }
        return false
    }

    /// Whether any of a word's 8 bytes is a control character, `"` or `\\`, with the "has a byte
    /// less than n" and "has a zero byte" word tricks (exact for "any", which is all this asks).
    @inline(__always)
    static func needsEscaping(word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = (word &- ones &* 0x20) & ~word
        let quoteOrBackslash = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
        return (control | quoteOrBackslash) & 0x8080_8080_8080_8080 != 0
    }

    private static func escapedLength(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x0A, 0x0D, 0x09, 0x08, 0x0C: 2
        default: 6
        }
    }

    /// Writes the escape for `byte` at `position`; returns its length.
    private static func writeEscape(_ byte: UInt8, into out: UnsafeMutableBufferPointer<UInt8>, at position: Int) -> Int {
        out[position] = UInt8(ascii: "\\")
        let short: UInt8? =
            switch byte {
            case UInt8(ascii: "\""): UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            case 0x0A: UInt8(ascii: "n")
            case 0x0D: UInt8(ascii: "r")
            case 0x09: UInt8(ascii: "t")
            case 0x08: UInt8(ascii: "b")
            case 0x0C: UInt8(ascii: "f")
            default: nil
            }
        if let short {
            out[position + 1] = short
            return 2
        }
        let hex: StaticString = "0123456789abcdef"
        out[position + 1] = UInt8(ascii: "u")
        out[position + 2] = UInt8(ascii: "0")
        out[position + 3] = UInt8(ascii: "0")
        hex.withUTF8Buffer { digits in
            out[position + 4] = digits[Int(byte >> 4)]
            out[position + 5] = digits[Int(byte & 0x0F)]
        }
        return 6
    }
}

/// Text a ``JSONWriter`` copies as UTF-8 without making a `String`: a `String`, or text read in
/// place from a database row.
public protocol UTF8Text {
    /// Calls `body` with the text's UTF-8 bytes, valid only during the call.
    func withUTF8Bytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result
    /// Whether a byte of the text needs a JSON escape, when that is already known; `nil` otherwise.
    var needsJSONEscaping: Bool? { get }
}

extension UTF8Text {
    /// Not known: the writer scans the bytes.
    public var needsJSONEscaping: Bool? { nil }
}

extension String: UTF8Text {
    /// The string's UTF-8 bytes, without a copy for native strings.
    @inlinable
    public func withUTF8Bytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) { return result }
        var copy = self
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}
