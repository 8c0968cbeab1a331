import Foundation

// Hand-written rather than Foundation's `UUID(uuidString:)` and `uuidString.lowercased()`: on
// Linux those go through `sscanf` and `sprintf`, which took ~10% of the CPU of an uncached
// `GET /posts` (100 ids parsed from SQLite and written out per request; `perf`, bench notes).

extension UUID {
    /// A random (version 4) UUID from the system's secure generator.
    ///
    /// Foundation's `UUID()` on Linux opens, reads and closes `/dev/urandom` for each one (three
    /// system calls and a file descriptor per request for the request id); the standard library's
    /// generator makes one `getrandom` call.
    public static func random() -> UUID {
        var generator = SystemRandomNumberGenerator()
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &value) { bytes in
            bytes.storeBytes(of: generator.next() as UInt64, toByteOffset: 0, as: UInt64.self)
            bytes.storeBytes(of: generator.next() as UInt64, toByteOffset: 8, as: UInt64.self)
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
        withUnsafeBytes(of: uuid) { bytes in
            var position = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    out[position] = UInt8(ascii: "-")
                    position += 1
                }
                out[position] = Self.hexDigit(bytes[index] >> 4)
                out[position + 1] = Self.hexDigit(bytes[index] & 0x0F)
                position += 2
            }
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> uuid_t? {
        guard text.count == 36 else { return nil }
        var result: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let valid = withUnsafeMutableBytes(of: &result) { bytes -> Bool in
            var position = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    guard text[position] == UInt8(ascii: "-") else { return false }
                    position += 1
                }
                guard let high = hexValue(text[position]), let low = hexValue(text[position + 1]) else { return false }
                bytes[index] = high << 4 | low
                position += 2
            }
            return true
        }
        return valid ? result : nil
    }
}
