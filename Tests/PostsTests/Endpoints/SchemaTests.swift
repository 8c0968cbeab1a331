import Foundation
import HummingbirdTesting
import Plinth
import PlinthCore
import PlinthDatabase
import Posts
import PostsCore
import Testing

/// `/schema.json` describes every route the router serves; `/metrics` reports them.
@Suite struct SchemaTests {
    @Test func everyRouteIsInTheOpenAPIDocument() async throws {
        try await TestApp.with(.sqlite) { client, _ in
            let response = try await client.execute(uri: "/schema.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.eTag] != nil)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let routes = routeTable().map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(routes.count >= 9)
            for route in routes {
                let (method, path) = (route[0].lowercased(), route[1])
                #expect(paths[path]?[method] != nil, "\(method) \(path) is not in schema.json")
            }
            // And nothing documented that the router does not serve.
            let served = Set(routes.map { "\($0[0].lowercased()) \($0[1])" })
            for (path, operations) in paths {
                for method in operations.keys where method != "parameters" {
                    #expect(served.contains("\(method) \(path)"), "schema.json documents \(method) \(path), which is not served")
                }
            }
        }
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        try await TestApp.with(.sqlite) { client, _ in
            _ = try await client.execute(uri: "/posts", method: .get)
            _ = try await client.execute(uri: "/posts/\(UUID().lowercasedString)", method: .get)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"http_requests_total{method="GET",route="/posts",status="200"} 1"#))
            #expect(metrics.contains(#"http_requests_total{method="GET",route="/posts/{id}",status="404"} 1"#))
            #expect(metrics.contains(#"http_request_duration_seconds_count{method="GET",route="/posts/{id}",status="404"} 1"#))
            #expect(metrics.contains(#"store_operation_duration_seconds_count{operation="posts.list"} 1"#))
        }
    }
}
