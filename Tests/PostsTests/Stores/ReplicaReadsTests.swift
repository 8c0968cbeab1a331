import Foundation
import Logging
import NIOConcurrencyHelpers
import PlinthCore
import PlinthDatabase
import PostgresNIO
import PostsCore
import Testing

/// Reads through a real streaming replica of the test PostgreSQL, which `scripts/test` starts with
/// `recovery_min_apply_delay` so that it lags every write by about a second.
@Suite(.serialized) struct ReplicaReadsTests {
    /// `POSTS_TEST_REPLICA_URL`: the replica's maintenance database; required under CI.
    static let replicaURL: PostgresURL? = {
        let environment = ProcessInfo.processInfo.environment
        guard let text = environment["POSTS_TEST_REPLICA_URL"] else { return nil }
        return try? PostgresURL(text)
    }()

    static var mustRun: Bool { replicaURL != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    @Test(.enabled(if: mustRun)) func readsItsOwnWritesWhileTheReplicaLags() async throws {
        try await withReplicatedDatabase { primary, replica in
            try await Self.withDatabase(primary, replica: replica) { database in
                try await Self.waitUntilReadingFromReplica(database)
                let store = PostStore(database: database)
                let post = Fixtures.posts(1)[0]
                try await store.insert(post)

                #expect(try await store.find(id: post.id) == post)
                #expect(try await Self.readsFromReplica(database) == false)
                #expect(try await Self.replicaHas(post.id, replica) == false, "the replica was meant to lag; the test proves nothing")

                try await Self.waitUntilReadingFromReplica(database)
                #expect(try await Self.replicaHas(post.id, replica))
                #expect(try await store.find(id: post.id) == post)
            }
        }
    }

    @Test(.enabled(if: mustRun)) func aWriteHeardOfIsReadWhereItIsVisible() async throws {
        try await withReplicatedDatabase { primary, replica in
            try await Self.withDatabase(primary, replica: replica) { writer in
                let heard = NIOLockedValueBox(0)
                try await Self.withDatabase(primary, replica: replica, onChange: { heard.withLockedValue { $0 += 1 } }) { reader in
                    try await Self.waitUntilReadingFromReplica(reader)
                    try await Self.eventually("the change feed listens") {
                        try await PostStore(database: writer).insert(Fixtures.posts(1)[0])
                        return heard.withLockedValue { $0 } > 0
                    }
                    try await Self.waitUntilReadingFromReplica(reader)

                    let post = Fixtures.posts(1)[0]
                    let before = heard.withLockedValue { $0 }
                    try await PostStore(database: writer).insert(post)
                    try await Self.eventually("the notification arrives") { heard.withLockedValue { $0 } > before }

                    #expect(try await PostStore(database: reader).find(id: post.id) == post)
                    #expect(try await Self.replicaHas(post.id, replica) == false, "the replica was meant to lag; the test proves nothing")
                }
            }
        }
    }

    @Test(.enabled(if: mustRun)) func aReplicaThatIsDownSendsReadsToThePrimaryAndSaysSoOnce() async throws {
        try await TestDatabase.with(.postgres) { database, _ in
            guard case .postgres(let primary) = database.config else { return }
            var unreachable = primary
            unreachable.port = try Self.closedPort()
            let messages = NIOLockedValueBox<[LogCapture.Line]>([])
            let logger = Logger(label: "replica") { _ in LogCapture(lines: messages) }
            try await Self.withDatabase(primary, replica: unreachable, logger: logger) { opened in
                let store = PostStore(database: opened)
                let posts = Fixtures.posts(3)
                for post in posts { try await store.insert(post) }
                let warnings = { messages.withLockedValue { $0 }.filter { $0.message.contains("read replica failed") }.count }
                try await Self.eventually("the failed replica is reported") {
                    let count = try await store.list(ListQuery(limit: 10)).count
                    #expect(count == 3)
                    return warnings() > 0
                }
                for _ in 0..<20 {
                    #expect(try await store.list(ListQuery(limit: 10)).count == 3)
                }
                #expect(try await Self.readsFromReplica(opened) == false)
                #expect(warnings() == 1)
            }
        }
    }

    // MARK: - Helpers

    /// A fresh migrated database on the primary, once the replica has replayed its creation.
    private func withReplicatedDatabase(_ body: @Sendable (PostgresURL, PostgresURL) async throws -> Void) async throws {
        guard let replicaAdmin = Self.replicaURL else {
            Issue.record("POSTS_TEST_REPLICA_URL is not set: run the tests with scripts/test, which starts a replica")
            return
        }
        try await TestDatabase.with(.postgres) { database, _ in
            guard case .postgres(let primary) = database.config else { return }
            var replica = replicaAdmin
            replica.database = primary.database
            try await Self.eventually("the replica has the migrated database") {
                (try? await Self.query(replica, "SELECT to_regclass('posts') IS NOT NULL", as: Bool.self)) == true
            }
            try await body(primary, replica)
        }
    }

    private static func withDatabase(
        _ primary: PostgresURL,
        replica: PostgresURL,
        logger: Logger = TestDatabase.logger,
        onChange: (@Sendable () -> Void)? = nil,
        _ body: @Sendable (Database) async throws -> Void
    ) async throws {
        let database = try Database.open(.postgres(primary), replica: replica, options: DatabaseOptions(poolSize: 2), logger: logger)
        var services = database.services
        if let onChange, let feed = database.changeFeed(tables: ["posts"], logger: logger, onChange: onChange) { services.append(feed) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services { group.addTask { try await service.run() } }
            defer { group.cancelAll() }
            try await body(database)
        }
    }

    /// Whether a read through `database` was answered by a standby.
    private static func readsFromReplica(_ database: Database) async throws -> Bool {
        try await database.first("probe", "SELECT pg_is_in_recovery()::int") { row in try row.int() == 1 } ?? false
    }

    private static func waitUntilReadingFromReplica(_ database: Database) async throws {
        try await eventually("reads go to the replica") { try await readsFromReplica(database) }
    }

    private static func replicaHas(_ id: UUID, _ replica: PostgresURL) async throws -> Bool {
        try await query(replica, "SELECT count(*) FROM posts WHERE id = '\(id.uuidString.lowercased())'", as: Int.self) == 1
    }

    private static func query<Value: PostgresDecodable & Sendable>(_ url: PostgresURL, _ sql: String, as: Value.Type) async throws -> Value? {
        try await TestDatabase.withPostgresClient(url) { client in
            for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).decode(Value.self) {
                return value
            }
            return nil
        }
    }

    private static func eventually(_ what: String, within seconds: Double = 15, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting until \(what)")
        throw CancellationError()
    }

    /// A loopback port nothing listens on.
    private static func closedPort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(socket, address, length) == 0 && getsockname(socket, address, &length) == 0
            }
        }
        guard bound else { throw TestSetupError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
