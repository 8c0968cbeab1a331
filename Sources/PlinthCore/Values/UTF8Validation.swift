/// Whether `bytes` are well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF),
/// checked 8 ASCII bytes at a time; for text read in place from a store that does not check it.
public func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
    utf8NeedsJSONEscaping(bytes) != nil
}

/// `nil` unless `bytes` are well-formed UTF-8 (as ``isValidUTF8(_:)``); if they are, whether a byte
/// needs a JSON escape (a control character, `"` or `\`), found in the same pass so that
/// ``JSONWriter`` need not scan the text again.
public func utf8NeedsJSONEscaping(_ bytes: UnsafeRawBufferPointer) -> Bool? {
    var needsEscaping = false
    var index = 0
    while index < bytes.count {
        if index + 8 <= bytes.count, case let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self),
            word & 0x8080_8080_8080_8080 == 0
        {
            needsEscaping = needsEscaping || JSONWriter.needsEscaping(word: word)
            index += 8
            continue
        }
        let lead = bytes[index]
        if lead < 0x80 {
            needsEscaping = needsEscaping || JSONWriter.needsEscaping(lead)
            index += 1
            continue
        }
        let (length, lowest, bits): (Int, UInt32, UInt8) =
            switch lead {
            case 0xC2...0xDF: (2, 0x80, 0x1F)
            case 0xE0...0xEF: (3, 0x800, 0x0F)
            case 0xF0...0xF4: (4, 0x1_0000, 0x07)
            default: (0, 0, 0)
            }
        guard length > 0, index + length <= bytes.count else { return nil }
        var scalar = UInt32(lead & bits)
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return nil }
            scalar = scalar << 6 | UInt32(byte & 0x3F)
        }
        guard scalar >= lowest, scalar <= 0x10_FFFF, !(0xD800...0xDFFF).contains(scalar) else { return nil }
        index += length
    }
    return needsEscaping
}
