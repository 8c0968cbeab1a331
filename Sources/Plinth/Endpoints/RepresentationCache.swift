import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import PlinthCore

/// Serialized GET responses kept in memory with their ETag, dropped by any write.
///
/// Correct under races: a reader takes ``generation`` *before* it reads the database and stores
/// its bytes under that generation; ``invalidate()`` bumps the generation, so an entry computed from
/// data older than the last write is never served. Bounded: at most `capacity` entries, each kept
/// at most `maxAge`, which bounds how stale a response can be after a write this process did not
/// see (another instance on the same PostgreSQL, `posts seed` while serving).
/// ```swift
/// let generation = cache.generation
/// if let hit = cache.entry(for: key) { return hit }
/// let entry = Entry(...)                      // read and serialize
/// cache.store(entry, for: key, generation: generation)
/// ```
public final class RepresentationCache: Sendable {
    /// One cached response.
    public struct Entry: Sendable {
        /// The status (200 or 206).
        public var status: HTTPResponse.Status
        /// The JSON bytes.
        public var body: ByteBuffer
        /// The strong ETag of `body`.
        public var etag: String
        /// Headers that belong to this representation (`Next-Range`, ...).
        public var headers: HTTPFields
        /// `body` gzipped, made once when the entry is cached (bodies of 1 KB or more).
        public var gzipBody: ByteBuffer?

        /// Creates an entry; the ETag is computed once here, not per request.
        public init(status: HTTPResponse.Status, body: ByteBuffer, headers: HTTPFields) {
            self.status = status
            self.body = body
            self.etag = ConditionalGET.etag(for: body)
            self.headers = headers
        }

        /// The entry with its gzip variant, for bodies large enough to gain from it.
        ///
        /// Only cached entries get one: compressing 38 KB costs more than serving it, so uncached
        /// responses are compressed on demand by ``CompressionMiddleware`` instead.
        func withGzip(minimumBytes: Int = 1024) -> Entry {
            var entry = self
            if gzipBody == nil, body.readableBytes >= minimumBytes { entry.gzipBody = ContentCoding.gzip.compress(body) }
            return entry
        }
    }

    private struct State {
        var generation: UInt64 = 0
        var entries: [String: (generation: UInt64, expires: NIODeadline, entry: Entry)] = [:]
        var inflight: [String: (generation: UInt64, task: Task<Entry, any Error>)] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let capacity: Int
    private let maxAge: TimeAmount

    /// Creates an empty cache holding at most `capacity` representations for at most `maxAge` each.
    public init(capacity: Int = 256, maxAge: TimeAmount = .seconds(1)) {
        self.capacity = capacity
        self.maxAge = maxAge
    }

    /// The current generation; take it before reading the data an entry is made from.
    public var generation: UInt64 { state.withLockedValue { $0.generation } }

    /// The entry for `key`, if one was made since the last write.
    public func entry(for key: String) -> Entry? {
        state.withLockedValue { state in
            guard let cached = state.entries[key], cached.generation == state.generation, cached.expires > .now() else { return nil }
            return cached.entry
        }
    }

    /// Keeps `entry` unless a write happened since `generation` was taken.
    public func store(_ entry: Entry, for key: String, generation: UInt64) {
        finish(key, generation: generation, entry: entry.withGzip())
    }

    /// The entry for `key`, computing it at most once at a time.
    ///
    /// Concurrent misses for the same key wait for one `compute` instead of each reading the
    /// database: without this, every expiry or write sent thousands of requests to the database
    /// at once (measured: 503s from pool lease timeouts at c=1,000 on PostgreSQL). `compute` runs in
    /// its own task, so a client that goes away does not cancel it for the others.
    public func entry(for key: String, compute: @escaping @Sendable () async throws -> Entry) async throws -> Entry {
        let (hit, task): (Entry?, Task<Entry, any Error>?) = state.withLockedValue { state in
            if let cached = state.entries[key], cached.generation == state.generation, cached.expires > .now() {
                return (cached.entry, nil)
            }
            if let flight = state.inflight[key], flight.generation == state.generation { return (nil, flight.task) }
            let generation = state.generation
            let task = Task {
                do {
                    let entry = try await compute().withGzip()
                    self.finish(key, generation: generation, entry: entry)
                    return entry
                } catch {
                    self.finish(key, generation: generation, entry: nil)
                    throw error
                }
            }
            state.inflight[key] = (generation, task)
            return (nil, task)
        }
        if let hit { return hit }
        return try await task!.value
    }

    private func finish(_ key: String, generation: UInt64, entry: Entry?) {
        state.withLockedValue { state in
            if state.inflight[key]?.generation == generation { state.inflight[key] = nil }
            guard let entry, generation == state.generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = (generation, .now() + maxAge, entry)
        }
    }

    /// Forgets every entry: call after every write.
    public func invalidate() {
        state.withLockedValue { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
        }
    }
}
