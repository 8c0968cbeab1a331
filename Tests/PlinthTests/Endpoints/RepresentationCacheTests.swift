import NIOCore
import Plinth
import PlinthCore
import Testing

@Suite struct RepresentationCacheTests {
    static let entry = RepresentationCache.Entry(status: .ok, body: ByteBuffer(string: "[]"), headers: [:])

    @Test func servesUntilInvalidated() {
        let cache = RepresentationCache()
        cache.store(Self.entry, for: "k", generation: cache.generation)
        #expect(cache.entry(for: "k")?.etag == Self.entry.etag)
        cache.invalidate()
        #expect(cache.entry(for: "k") == nil)
    }

    @Test func entryReadBeforeAWriteIsNeverStored() {
        let cache = RepresentationCache()
        let generation = cache.generation  // a reader starts
        cache.invalidate()  // a write lands while it reads
        cache.store(Self.entry, for: "k", generation: generation)
        #expect(cache.entry(for: "k") == nil)
    }

    @Test func boundedInSizeAndAge() async throws {
        let cache = RepresentationCache(capacity: 2, maxAge: .milliseconds(50))
        for key in ["a", "b", "c"] { cache.store(Self.entry, for: key, generation: cache.generation) }
        #expect([cache.entry(for: "a"), cache.entry(for: "b"), cache.entry(for: "c")].compactMap { $0 }.count <= 2)
        try await Task.sleep(for: .milliseconds(80))
        #expect(cache.entry(for: "c") == nil)
    }
}

@Suite struct RepresentationCacheSingleFlightTests {
    @Test func concurrentMissesComputeOnce() async throws {
        let cache = RepresentationCache()
        let calls = Counter()
        let etags = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await cache.entry(for: "k") {
                        await calls.increment()
                        try await Task.sleep(for: .milliseconds(50))
                        return RepresentationCacheTests.entry
                    }.etag
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(await calls.value == 1)
        #expect(etags == [RepresentationCacheTests.entry.etag])
    }

    @Test func aFailedComputeIsNotCached() async throws {
        let cache = RepresentationCache()
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await cache.entry(for: "k") { throw Boom() } }
        let entry = try await cache.entry(for: "k") { RepresentationCacheTests.entry }
        #expect(entry.etag == RepresentationCacheTests.entry.etag)
    }

    actor Counter {
        var value = 0
        func increment() { value += 1 }
    }
}
