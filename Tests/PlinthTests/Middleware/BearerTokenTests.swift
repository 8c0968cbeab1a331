import Testing

@testable import Plinth

@Suite struct BearerTokenTests {
    @Test func constantTimeEqualsComparesWholeValues() {
        #expect(BearerToken.constantTimeEquals(Array("secret".utf8), Array("secret".utf8)))
        #expect(!BearerToken.constantTimeEquals(Array("secret".utf8), Array("secreT".utf8)))
        #expect(!BearerToken.constantTimeEquals(Array("secret".utf8), Array("secret2".utf8)))
        #expect(!BearerToken.constantTimeEquals(Array("".utf8), Array("x".utf8)))
        #expect(!BearerToken.constantTimeEquals(Array(repeating: 0, count: 256), Array(repeating: 0, count: 0)))
    }
}
