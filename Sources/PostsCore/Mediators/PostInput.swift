import Foundation
import PlinthCore

/// The fields a client may send for a post, validated.
///
/// `title`: a string, 1–200 characters after trimming (stored trimmed). `body`: a string,
/// 1–100,000 characters. Neither may contain NUL. Any other field is refused by name.
public struct PostInput: Sendable, Equatable {
    /// The new title, if given.
    public var title: String?
    /// The new body, if given.
    public var body: String?

    /// The fields a client may send.
    public static let allowedFields = ["title", "body"]
    /// The longest title, in characters.
    public static let maxTitleLength = 200
    /// The longest body, in characters.
    public static let maxBodyLength = 100_000

    /// Creates input from values already checked.
    public init(title: String? = nil, body: String? = nil) {
        self.title = title
        self.body = body
    }

    /// Parses a JSON request body: 400 when it is not JSON, 422 naming each invalid field.
    ///
    /// With `requireAll` (create) both fields must be present; otherwise (update) at least one.
    public init(json: Data, requireAll: Bool) throws {
        var input = try JSONInput(json: json, allowed: Self.allowedFields, example: #"{"title": "...", "body": "..."}"#)
        title = input.text("title", trim: true, max: Self.maxTitleLength, required: requireAll)
        body = input.text("body", trim: false, max: Self.maxBodyLength, required: requireAll)
        if !requireAll, input.problems.isEmpty, title == nil, body == nil {
            input.problems.append("nothing to update: send title and/or body")
        }
        try input.finish(resource: "post")
    }
}
