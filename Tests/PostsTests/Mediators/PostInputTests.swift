import Foundation
import PlinthCore
import PlinthDatabase
import Testing

@testable import PostsCore

@Suite struct PostInputTests {
    @Test func trimsTitleKeepsBody() throws {
        let input = try PostInput(json: Data(#"{"title":"  Hi \n","body":"  spaced  "}"#.utf8), requireAll: true)
        #expect(input == PostInput(title: "Hi", body: "  spaced  "))
    }

    @Test func partialInputForUpdates() throws {
        #expect(try PostInput(json: Data(#"{"body":"b"}"#.utf8), requireAll: false) == PostInput(body: "b"))
    }

    @Test func reportsEveryProblemAtOnce() {
        #expect {
            _ = try PostInput(json: Data(#"{"title":7,"extra":1,"more":2}"#.utf8), requireAll: true)
        } throws: { error in
            guard let error = error as? APIError, error.kind == .unprocessableEntity else { return false }
            return error.message.contains(#"unknown fields "extra", "more""#) && error.message.contains("title must be a string")
                && error.message.contains("body is required")
        }
    }

    @Test func duplicateKeysAreRefusedByName() {
        #expect {
            _ = try PostInput(json: Data(#"{"title":"a","body":"b","title":{"x":1}}"#.utf8), requireAll: true)
        } throws: { error in
            (error as? APIError)?.message.contains(#"duplicate field "title""#) == true
        }
        #expect(JSONInput.duplicateTopLevelKeys(Data(#"{"a":{"a":1,"a":2},"b":["a","a"],"\u0061":3,"c\"d":1}"#.utf8)) == ["a"])
        #expect(JSONInput.duplicateTopLevelKeys(Data(#"{"title":"x,\"title\":","body":"b"}"#.utf8)).isEmpty)
    }
}
