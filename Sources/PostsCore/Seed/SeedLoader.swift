import Foundation
import PlinthCore

/// Loads posts from a JSON array in the format of `bench/posts.json`, keeping ids and timestamps.
///
/// The file is read twice, as a stream, so its size does not matter: once to check every post (a bad
/// one stops the load before anything is written), then to upsert them by id in transactions of
/// ``batchSize``. Loading the same file twice leaves the same rows.
public struct SeedLoader: Sendable {
    /// Where the posts go.
    public let store: PostStore
    /// Posts per transaction.
    public let batchSize: Int

    /// Creates a loader.
    public init(store: PostStore, batchSize: Int = 2000) {
        self.store = store
        self.batchSize = batchSize
    }

    /// Checks and stores every post of `data`; returns how many. Throws ``SeedError`` for a bad file.
    @discardableResult
    public func load(_ data: Data) async throws -> Int {
        try await load { JSONArrayReader(data: data) }
    }

    /// Checks and stores every post of the file at `path`; returns how many.
    @discardableResult
    public func load(path: String) async throws -> Int {
        try await load { JSONArrayReader(path: path) }
    }

    private func load(_ makeReader: () -> JSONArrayReader) async throws -> Int {
        let decoder = JSONDecoder()
        var count = 0
        let check = makeReader()
        while let _ = try Self.next(check, index: count, decoder: decoder) { count += 1 }
        let reader = makeReader()
        var batch: [Post] = []
        batch.reserveCapacity(batchSize)
        var index = 0
        while let post = try Self.next(reader, index: index, decoder: decoder) {
            index += 1
            batch.append(post)
            if batch.count == batchSize {
                try await store.upsert(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try await store.upsert(batch) }
        return count
    }

    private struct Record: Decodable {
        let id: String
        let title: String
        let body: String
        let created_at: String  // swift-format-ignore: AlwaysUseLowerCamelCase
        let updated_at: String
    }

    /// The next post of `reader` (the `index`-th), checked; throws ``SeedError`` naming a bad one.
    static func next(_ reader: JSONArrayReader, index: Int, decoder: JSONDecoder) throws -> Post? {
        let element: Data
        do {
            guard let next = try reader.next() else { return nil }
            element = next
        } catch let error as JSONArrayReader.FormatError {
            throw SeedError("not a JSON array of posts: \(error)")
        }
        guard let record = try? decoder.decode(Record.self, from: element) else {
            throw SeedError("post \(index): not an object with string id, title, body, created_at and updated_at")
        }
        guard let id = UUID(canonical: record.id) else {
            throw SeedError("post \(index): id \"\(record.id.prefix(64))\" is not a UUID")
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

/// A seed file that cannot be loaded.
public struct SeedError: Error, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
