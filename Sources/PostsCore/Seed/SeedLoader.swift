import Foundation
import PlinthCore

/// Loads posts from a JSON array in the format of `bench/posts.json`, keeping ids and timestamps.
///
/// Posts are upserted by id in one transaction, so loading the same file twice leaves the same rows.
public struct SeedLoader: Sendable {
    /// Where the posts go.
    public let store: PostStore

    /// Creates a loader.
    public init(store: PostStore) {
        self.store = store
    }

    /// Parses `data` and stores every post; returns how many. Throws ``SeedError`` for a bad file.
    @discardableResult
    public func load(_ data: Data) async throws -> Int {
        let posts = try Self.parse(data)
        try await store.upsert(posts)
        return posts.count
    }

    /// Parses and checks the whole file before anything is written.
    static func parse(_ data: Data) throws -> [Post] {
        struct Record: Decodable {
            let id: String
            let title: String
            let body: String
            let created_at: String  // swift-format-ignore: AlwaysUseLowerCamelCase
            let updated_at: String
        }
        let records: [Record]
        do {
            records = try JSONDecoder().decode([Record].self, from: data)
        } catch {
            throw SeedError("not a JSON array of posts with id, title, body, created_at and updated_at (\(error))")
        }
        return try records.enumerated().map { index, record in
            guard let id = UUID(canonical: record.id) else {
                throw SeedError("post \(index): id \"\(record.id)\" is not a UUID")
            }
            guard let createdAt = Timestamp(iso8601: record.created_at), let updatedAt = Timestamp(iso8601: record.updated_at) else {
                throw SeedError("post \(index): timestamps must look like 2015-03-01T12:00:52Z")
            }
            guard !record.title.isEmpty, !record.body.isEmpty, !record.title.utf8.contains(0), !record.body.utf8.contains(0) else {
                throw SeedError("post \(index): title and body must be non-empty and free of NUL")
            }
            return Post(id: id, title: record.title, body: record.body, createdAt: createdAt, updatedAt: updatedAt)
        }
    }
}

/// A seed file that cannot be loaded.
public struct SeedError: Error, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
