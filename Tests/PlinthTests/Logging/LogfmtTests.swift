import Plinth
import PlinthCore
import Testing

@Suite struct LogfmtTests {
    static func line(_ value: String) -> String {
        var line = ""
        Logfmt.append("request_path", value, to: &line)
        return line
    }

    @Test func bareWhenSafeQuotedOtherwise() {
        #expect(Self.line("/posts") == "request_path=/posts")
        #expect(Self.line("") == #"request_path="""#)
        #expect(Self.line("a b") == #"request_path="a b""#)
    }

    @Test func hostileValuesCannotForgeFieldsOrLines() {
        let forged = Self.line("/x response_status=200\nat=info msg=forged \"q\" \\")
        #expect(forged == #"request_path="/x response_status=200\nat=info msg=forged \"q\" \\""#)
        #expect(!forged.contains("\n"))
        #expect(!Self.line("a\u{0}b\u{1B}[31m\u{2028}").contains { $0.isNewline || $0 == "\u{0}" || $0 == "\u{1B}" })
    }
}
