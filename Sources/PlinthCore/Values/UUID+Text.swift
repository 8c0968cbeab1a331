import Foundation

#if os(Linux)
    // getrandom(2); Swift's Glibc module does not export it.
    @_silgen_name("getrandom")
    private func getrandom(_ buffer: UnsafeMutableRawPointer?, _ length: Int, _ flags: UInt32) -> Int
#endif

// Hand-written rather than Foundation's `UUID(uuidString:)` and `uuidString.lowercased()`: on
// Linux those go through `sscanf` and `sprintf`, which took ~10% of the CPU of an uncached
// `GET /posts` (100 ids parsed from SQLite and written out per request; `perf`, bench notes).

extension UUID {
    /// A random (version 4) UUID from the system's secure generator.
    ///
    /// Foundation's `UUID()` on Linux opens, reads and closes `/dev/urandom` for each one (three
    /// system calls and a file descriptor per request for the request id); the standard library's
    /// generator makes a `getrandom` call per 8 bytes; this makes one for all 16.
    public static func random() -> UUID {
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &value) { bytes in
            #if os(Linux)
                let filled = getrandom(bytes.baseAddress, 16, 0) == 16
            #else
                let filled = false
            #endif
            if !filled {
                var generator = SystemRandomNumberGenerator()
                bytes.storeBytes(of: generator.next() as UInt64, toByteOffset: 0, as: UInt64.self)
                bytes.storeBytes(of: generator.next() as UInt64, toByteOffset: 8, as: UInt64.self)
            }
            bytes[6] = bytes[6] & 0x0F | 0x40  // version 4
            bytes[8] = bytes[8] & 0x3F | 0x80  // RFC 9562 variant
        }
        return UUID(uuid: value)
    }

    /// Parses the canonical 36-character form, `8-4-4-4-12` hex digits in either case.
    public init?(canonical text: some StringProtocol) {
        let parsed: uuid_t?? = text.utf8.withContiguousStorageIfAvailable { Self.parse($0) }
        guard let bytes = parsed ?? Array(text.utf8).withUnsafeBufferPointer({ Self.parse($0) }) else { return nil }
        self.init(uuid: bytes)
    }

    /// Parses the canonical form from its UTF-8 bytes (a database column read in place).
    public init?(canonicalUTF8 bytes: UnsafeRawBufferPointer) {
        guard let parsed = Self.parse(bytes.bindMemory(to: UInt8.self)) else { return nil }
        self.init(uuid: parsed)
    }

    /// The lowercase canonical form used on the wire and in SQLite, e.g. `dadf6879-fed3-4b5f-8d4e-0ce894784ccf`.
    public var lowercasedString: String {
        String(unsafeUninitializedCapacity: 36) { out in
            writeLowercased(into: UnsafeMutableRawBufferPointer(out))
            return 36
        }
    }

    /// Writes the 36 bytes of ``lowercasedString`` to the start of `out`.
    public func writeLowercased(into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= 36, "a UUID's text is 36 bytes")
        let target = out.baseAddress!
        withUnsafeBytes(of: uuid) { bytes in
            hexPairs.withUnsafeBufferPointer { pairs in
                for index in 0..<16 {
                    target.storeBytes(of: pairs[Int(bytes[index])], toByteOffset: Self.textPosition(index), as: UInt16.self)
                }
            }
        }
        (out[8], out[13], out[18], out[23]) = (UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: "-"))
    }

    /// Where byte `index`'s two digits start in the text: two per byte, plus the hyphens before it
    /// (after bytes 3, 5, 7 and 9), in arithmetic rather than branches.
    private static func textPosition(_ index: Int) -> Int {
        2 * index + min(max((index - 2) / 2, 0), 4)
    }

    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> uuid_t? {
        guard text.count == 36,
            text[8] == UInt8(ascii: "-"), text[13] == UInt8(ascii: "-"), text[18] == UInt8(ascii: "-"), text[23] == UInt8(ascii: "-")
        else { return nil }
        var result: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var invalid: UInt8 = 0
        hexValues.withUnsafeBufferPointer { values in
            withUnsafeMutableBytes(of: &result) { bytes in
                for index in 0..<16 {
                    let position = textPosition(index)
                    let (high, low) = (values[Int(text[position])], values[Int(text[position + 1])])
                    bytes[index] = high << 4 | low
                    invalid |= high | low
                }
            }
        }
        return invalid < 0x10 ? result : nil
    }
}

/// Each byte's value as a hex digit in either case (0–15), or 16 for any other byte: one load per
/// digit, which took half the time of computing the value without branches.
private let hexValues: [UInt8] = (0...255).map { byte in
    switch UInt8(byte) {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(byte) - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt8(byte) - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt8(byte) - UInt8(ascii: "A") + 10
    default: 0x10
    }
}

/// Each byte's two lowercase hex digits, in memory order: one 16-bit store per byte of a UUID.
private let hexPairs: [UInt16] = {
    let digits = Array("0123456789abcdef".utf8)
    return (0...255).map { byte in UInt16(littleEndian: UInt16(digits[byte >> 4]) | UInt16(digits[byte & 0x0F]) << 8) }
}()
