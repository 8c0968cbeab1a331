import NIOCore
import Plinth
import Testing

@Suite struct ETagTests {
    /// A body of `count` bytes, deterministic, long enough to fill every hash lane and a tail.
    static func body(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    }

    static func tag(_ bytes: [UInt8]) -> String {
        ConditionalGET.etag(for: ByteBuffer(bytes: bytes))
    }

    @Test func isSixteenLowercaseHexDigitsQuoted() {
        for count in [0, 1, 31, 32, 33, 1000] {
            let tag = Self.tag(Self.body(count))
            #expect(tag.utf8.count == 18)
            #expect(tag.first == "\"" && tag.last == "\"")
            #expect(tag.dropFirst().dropLast().allSatisfy { "0123456789abcdef".contains($0) })
        }
    }

    @Test func isTheSameForTheSameBytes() {
        #expect(Self.tag(Self.body(38_000)) == Self.tag(Self.body(38_000)))
    }

    @Test func changesWhenAnyOneByteChanges() {
        let original = Self.body(100)
        let tag = Self.tag(original)
        var seen: Set<String> = [tag]
        for index in original.indices {
            var changed = original
            changed[index] ^= 0x01
            seen.insert(Self.tag(changed))
        }
        #expect(seen.count == original.count + 1)
    }

    @Test func changesWhenWordsSwapLanesOrTheLengthChanges() {
        let original = Self.body(64)
        var swapped = original
        swapped.replaceSubrange(0..<8, with: original[8..<16])
        swapped.replaceSubrange(8..<16, with: original[0..<8])
        #expect(Self.tag(swapped) != Self.tag(original))
        #expect(Self.tag(original + [0]) != Self.tag(original))
        #expect(Self.tag([]) != Self.tag([0]))
    }
}
