import Foundation
import Plinth
import PlinthCore
import Testing

@Suite struct UUIDTextTests {
    @Test func roundTripsAgainstFoundation() {
        for _ in 0..<1000 {
            let id = UUID()
            #expect(id.lowercasedString == id.uuidString.lowercased())
            #expect(UUID(canonical: id.uuidString) == id)
            #expect(UUID(canonical: id.lowercasedString) == id)
            #expect(UUID(canonical: id.lowercasedString[...]) == id)
        }
        #expect(UUID(canonical: "00000000-0000-0000-0000-000000000000") == UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        #expect(UUID(canonical: "FFFFFFFF-ffff-FFFF-ffff-FFFFFFFFFFFF")?.lowercasedString == "ffffffff-ffff-ffff-ffff-ffffffffffff")
    }

    @Test func randomIsVersion4WithTheRFCVariant() {
        var seen: Set<UUID> = []
        for _ in 0..<1000 {
            let text = UUID.random().lowercasedString
            let characters = Array(text)
            #expect(characters[14] == "4")
            #expect("89ab".contains(characters[19]))
            #expect(UUID(canonical: text) != nil)
            seen.insert(UUID(canonical: text)!)
        }
        #expect(seen.count == 1000)
    }

    @Test(arguments: [
        "", "dadf6879-fed3-4b5f-8d4e-0ce894784cc", "dadf6879-fed3-4b5f-8d4e-0ce894784ccff",
        "dadf6879fed3-4b5f-8d4e-0ce894784ccff", "dadf6879-fed3-4b5f-8d4e_0ce894784ccf", "gadf6879-fed3-4b5f-8d4e-0ce894784ccf",
        "dadf6879-fed3-4b5f-8d4e-0ce894784cc ", "{adf6879-fed3-4b5f-8d4e-0ce894784cc}", "dadf6879-fed3-4b5f-8d4é-0ce894784cc",
        "' OR 1=1 -- aaaaaaaaaaaaaaaaaaaaaaaaa",
    ])
    func rejectsAnythingElse(text: String) {
        #expect(UUID(canonical: text) == nil)
    }

    @Test func everyByteInEveryDigitIsReadAsFoundationReadsIt() {
        let base = Array("dadf6879-fed3-4b5f-8d4e-0ce894784ccf".utf8)
        for position in base.indices where base[position] != UInt8(ascii: "-") {
            for byte in UInt8.min...UInt8.max {
                var text = base
                text[position] = byte
                let parsed = text.withUnsafeBytes { UUID(canonicalUTF8: $0) }
                let isHexDigit =
                    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
                #expect((parsed != nil) == isHexDigit, "byte \(byte) at \(position)")
                if isHexDigit { #expect(parsed == UUID(uuidString: String(decoding: text, as: UTF8.self))) }
            }
        }
    }
}
