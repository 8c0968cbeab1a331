import Foundation
import HummingbirdTesting
import NIOCore
import PlinthCore
import Posts
import Testing

/// The API reference: every operation of schema.json, its table of contents, `/docs` served like any GET.
@Suite struct DocsTests {
    static let document = Data(schemaDocument.readableBytesView)

    @Test func everyOperationOfTheSchemaIsInTheReferenceInOrder() throws {
        let reference = try APIReference(document: Self.document)
        let paths = try #require(try JSONSerialization.jsonObject(with: Self.document) as? [String: Any])["paths"] as? [String: [String: Any]]
        let expected = (paths ?? [:]).flatMap { path, item in item.keys.filter { $0 != "parameters" }.map { "\($0.uppercased()) \(path)" } }
        #expect(Set(reference.operations.map { "\($0.method) \($0.path)" }) == Set(expected))
        #expect(reference.operations.first.map { "\($0.method) \($0.path)" } == "GET /posts")
        #expect(Set(reference.operations.map(\.anchor)).count == reference.operations.count)
        let markdown = reference.markdown()
        for operation in reference.operations {
            #expect(markdown.contains("](#\(operation.anchor))"))
            #expect(markdown.contains("<a id=\"\(operation.anchor)\"></a>"))
        }
    }

    @Test func operationsListHeadersFieldsErrorsAndAnExample() throws {
        let reference = try APIReference(document: Self.document)
        let create = try #require(reference.operations.first { $0.method == "POST" && $0.path == "/posts" })
        #expect(create.parameters.first?.name == "Authorization")
        #expect(create.body?.map(\.name) == ["title", "body"])
        #expect(create.body?.first?.constraints == "1–200 characters")
        let invalid = try #require(create.responses.first { $0.status == "422" })
        #expect(invalid.errorIDs == ["unprocessable_entity"])
        #expect(invalid.example == #"{"id":"unprocessable_entity","message":"Unprocessable entity."}"#)
        #expect(create.curl.contains("-X POST 'http://localhost:5000/posts'") && create.curl.contains("Authorization: Bearer $API_TOKEN"))
        #expect(create.expectedStatus == "201")
        let list = try #require(reference.operations.first { $0.method == "GET" && $0.path == "/posts" })
        #expect(list.parameters.map(\.name).contains("Range"))
        #expect(list.responses.first { $0.status == "206" }?.headers.contains("Next-Range") == true)
        #expect(list.responses.first { $0.status == "405" }?.errorIDs == ["method_not_allowed"])
    }

    @Test func theCommittedMarkdownIsWhatTheReferenceRenders() throws {
        let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../docs/API.md").standardized
        let markdown = apiReference.markdown()
        #expect(try String(contentsOf: committed, encoding: .utf8) == markdown, "docs/API.md is stale: run `swift run posts docs > docs/API.md`")
    }

    @Test func docsIsOneHTMLPageWithETagAnd304() async throws {
        try await TestApp.with(.sqlite) { client, _ in
            let response = try await client.execute(uri: "/docs", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let page = String(buffer: response.body)
            #expect(page.hasPrefix("<!DOCTYPE html>") && !page.contains("<script") && !page.contains("src=") && !page.contains("href=\"http"))
            #expect(page.contains("<section id=\"get-posts\">") && page.contains("href=\"#get-posts\""))
            let etag = try #require(response.headers[.eTag])
            let again = try await client.execute(uri: "/docs", method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            let gzipped = try await client.execute(uri: "/docs", method: .get, headers: [.acceptEncoding: "gzip"])
            #expect(gzipped.headers[.contentEncoding] == "gzip")
        }
    }
}
