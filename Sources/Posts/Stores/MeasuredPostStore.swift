import Foundation
import Plinth
import Prometheus

/// A store that records each call's latency in `store_operation_duration_seconds{operation}`.
public struct MeasuredPostStore: PostStore {
    /// The store measured.
    public let base: any PostStore
    /// Where the histograms live.
    public let registry: PrometheusCollectorRegistry
    /// One histogram per operation, made once rather than looked up in the registry per call.
    private let histograms: [String: DurationHistogram]

    /// Wraps `base`.
    public init(_ base: any PostStore, registry: PrometheusCollectorRegistry) {
        self.base = base
        self.registry = registry
        let descriptor = MetricNameDescriptor(
            metricName: "store_operation_duration", unitName: "seconds", helpText: "Store call latency by operation.")
        let operations = ["migrate", "list", "find", "insert", "update", "delete", "upsert", "count", "health"]
        self.histograms = Dictionary(
            uniqueKeysWithValues: operations.map { operation in
                (
                    operation,
                    registry.makeDurationHistogram(
                        descriptor: descriptor,
                        labels: [("operation", operation)],
                        buckets: RequestMetricsMiddleware<AppRequestContext>.buckets
                    )
                )
            }
        )
    }

    public func migrate() async throws { try await measure("migrate") { try await base.migrate() } }
    public func list(_ query: PostListQuery) async throws -> [Post] { try await measure("list") { try await base.list(query) } }
    public func find(id: UUID) async throws -> Post? { try await measure("find") { try await base.find(id: id) } }
    public func insert(_ post: Post) async throws { try await measure("insert") { try await base.insert(post) } }
    public func update(id: UUID, title: String?, body: String?, updatedAt: Timestamp, precondition: WritePrecondition<Post>?) async throws -> Post? {
        try await measure("update") { try await base.update(id: id, title: title, body: body, updatedAt: updatedAt, precondition: precondition) }
    }
    public func delete(id: UUID, precondition: WritePrecondition<Post>?) async throws -> Post? {
        try await measure("delete") { try await base.delete(id: id, precondition: precondition) }
    }
    public func upsert(_ posts: [Post]) async throws { try await measure("upsert") { try await base.upsert(posts) } }
    public func count() async throws -> Int { try await measure("count") { try await base.count() } }
    public func checkHealth() async throws { try await measure("health") { try await base.checkHealth() } }

    private func measure<Result>(_ operation: String, _ body: () async throws -> Result) async throws -> Result {
        let start = ContinuousClock.now
        defer {
            registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(
                    metricName: "store_operation_duration", unitName: "seconds", helpText: "Store call latency by operation."),
                labels: [("operation", operation)],
                buckets: RequestMetricsMiddleware<AppRequestContext>.buckets
            ).record(ContinuousClock.now - start)
        }
        return try await body()
    }
}
