import Plinth
import PlinthCore
import Testing

@Suite struct EnvTests {
    @Test func mandatoryOptionalAndDefault() throws {
        let env = Env(["A": "1", "EMPTY": "", "FLAG": "off", "LIST": "a, b,,c"])
        #expect(try env.mandatory("A", as: Int.self) == 1)
        #expect(try env.optional("EMPTY", as: String.self) == nil)
        #expect(try env.value("MISSING", default: 7) == 7)
        #expect(try env.value("FLAG", default: true) == false)
        #expect(try env.value("LIST", default: CommaList([])).items == ["a", "b", "c"])
        #expect(throws: ConfigError(key: "MISSING", value: nil, problem: "is required but not set")) {
            try env.mandatory("MISSING", as: String.self)
        }
        #expect(throws: ConfigError(key: "LIST", value: "a, b,,c", problem: "must be true or false")) {
            try env.value("LIST", default: false) as Bool
        }
        #expect(throws: ConfigError(key: "FLAG", value: "off", problem: "must be an integer")) {
            try env.value("FLAG", default: 0) as Int
        }
    }
}
