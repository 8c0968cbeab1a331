import Foundation
import PlinthCore

/// The fields a client may send for a comment: `author` 1–100 characters after trimming, `body`
/// 1–10,000; neither with NUL; any other field refused by name.
public struct CommentInput: Sendable, Equatable {
    /// The author, if given.
    public var author: String?
    /// The body, if given.
    public var body: String?

    /// Parses a JSON body: 400 when it is not JSON, 422 naming each invalid field. With
    /// `requireAll` (create) both fields must be present; otherwise at least one.
    public init(json: Data, requireAll: Bool) throws {
        var input = try JSONInput(json: json, allowed: ["author", "body"], example: #"{"author": "...", "body": "..."}"#)
        author = input.text("author", trim: true, max: 100, required: requireAll)
        body = input.text("body", trim: false, max: 10_000, required: requireAll)
        if !requireAll, input.problems.isEmpty, author == nil, body == nil {
            input.problems.append("nothing to update: send author and/or body")
        }
        try input.finish(resource: "comment")
    }
}
