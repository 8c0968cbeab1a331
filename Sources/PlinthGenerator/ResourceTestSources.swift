import Foundation

extension GenerateModel.Field {
    /// A second valid value, different from ``example``, as JSON and as Swift.
    var other: (json: String, swift: String) {
        switch kind {
        case .string, .text: return ("\"Changed \(column)\"", "\"Changed \(column)\"")
        case .int: return ("-7", "-7")
        case .bool: return ("false", "false")
        case .timestamp: return ("\"2016-02-29T23:59:59Z\"", "Timestamp(secondsSince1970: 1_456_790_399)")
        case .uuid, .references:
            return ("\"fbd1a2c3-0000-4abc-8def-123456789abc\"", "UUID(canonical: \"fbd1a2c3-0000-4abc-8def-123456789abc\")!")
        }
    }

    /// ``example`` as a non-optional Swift value.
    var exampleSwift: String {
        switch kind {
        case .timestamp: return "Timestamp(secondsSince1970: 1_425_211_252)"
        case .uuid, .references: return example.swift + "!"
        default: return example.swift
        }
    }
}

/// The tests a resource's parts come with, and the samples they share.
extension GenerateModel {
    /// `part` nests under `widget`: `(widget, Widget, widgetID)`.
    var parentNames: (name: String, type: String, property: String)? {
        parent.map { ($0.parent ?? "", Naming.type($0.parent ?? ""), $0.property) }
    }

    /// `Part.sample($0, widgetID: widget.id)` for the element `index`.
    func sampleCall(_ index: String) -> String {
        "\(type).sample(\(index)\(parentNames.map { ", \($0.property): \($0.name).id" } ?? ""))"
    }

    /// `let widget = try await Widget.stored(on: database)`, for a nested resource.
    var storedParent: String {
        parentNames.map { "            let \($0.name) = try await \($0.type).stored(on: database)\n" } ?? ""
    }

    /// The collection's path in a test, with the parent's id.
    var collectionURI: String {
        parentNames.map { "\"/\(Naming.plural($0.name))/\\(\($0.name).id.lowercasedString)/\(table)\"" } ?? "\"/\(table)\""
    }

    var sample: String {
        let parameter = parentNames.map { ", \($0.property): UUID" } ?? ""
        let arguments = (["id: UUID()"] + fields.map { "\($0.property): \($0.sample)" } + ["createdAt: created", "updatedAt: created"])
            .joined(separator: ", ")
        let store: String
        if let parentNames {
            store = """
                        let \(parentNames.name) = try await \(parentNames.type).stored(on: database)
                        let \(name) = sample(index, \(parentNames.property): \(parentNames.name).id)
                        guard try await \(type)Store(database: database).insert(\(name)) else { throw TestSetupError("the \(parentNames.name) just stored is missing") }
                """
        } else {
            store = """
                        let \(name) = sample(index)
                        try await \(type)Store(database: database).insert(\(name))
                """
        }
        return """
            import Foundation
            import PlinthCore
            import PlinthDatabase
            import PlinthTesting
            import \(app.module)Core

            extension \(type) {
                /// The `index`th of a run of \(table), two created per second (so the id breaks ties).
                static func sample(_ index: Int = 0\(parameter)) -> \(type) {
                    let created = Timestamp(secondsSince1970: 1_500_000_000 + Int64(index / 2))
                    return \(type)(\(arguments))
                }

                /// \(article.prefix(1).uppercased() + article.dropFirst()) \(name) stored on `database`\(parentNames.map { ", in a \($0.name) stored first" } ?? "").
                static func stored(on database: Database, _ index: Int = 0) async throws -> \(type) {
            \(store)
                    return \(name)
                }
            }

            """
    }

    var storeTests: String {
        let parentArgument = parentNames.map { "\($0.name).id, " } ?? ""
        let insert = parent == nil ? "try await store.insert(item)" : "#expect(try await store.insert(item))"
        let listParameter = parentNames.map { "_ \($0.property): UUID, " } ?? ""
        let listLabel = parentNames.map { "\($0.property): \($0.property), " } ?? ""
        let edges = fields.compactMap { field in field.edge.map { "            item.\(field.property) = \($0)" } }
        let first = inputs.first
        let updateArguments = inputs.enumerated().map { index, field in "\(field.property): \(index == 0 ? field.exampleSwift : "nil")" }
        let noChange = inputs.map { "\($0.property): nil" }
        var tests = """
            import Foundation
            import PlinthCore
            import PlinthDatabase
            import PlinthTesting
            import Testing
            import \(app.module)Core

            /// What the \(name) store must do, on every database.
            @Suite struct \(type)StoreTests {
                @Test(arguments: TestStore.available)
                func insertFindListAndPage(store kind: TestStore) async throws {
                    try await TestDatabase.with(kind, migrations: AppMigrations.all) { _, database in
                        let store = \(type)Store(database: database)
            \(storedParent)            let items = (0..<7).map { \(sampleCall("$0")) }
                        for item in items.shuffled() { \(insert) }
                        let ordered = items.sorted { ($0.createdAt, $0.id.lowercasedString) < ($1.createdAt, $1.id.lowercasedString) }
                        let found = try await store.find(id: items[3].id)
                        #expect(found == items[3])
                        let all = try await Self.list(store, \(parentArgument)ListQuery(limit: 100))
                        #expect(all == ordered)
                        let after = ListQuery.Position(createdAt: ordered[1].createdAt, id: ordered[1].id)
                        let page = try await Self.list(store, \(parentArgument)ListQuery(start: after, startExclusive: true, limit: 3))
                        #expect(page == Array(ordered[2...4]))
                        let last = try await Self.list(store, \(parentArgument)ListQuery(descending: true, limit: 2))
                        #expect(last == [ordered[6], ordered[5]])
                    }
                }

            """
        if !edges.isEmpty {
            tests += """

                    @Test(arguments: TestStore.available)
                    func valuesAtTheirEdgesComeBackAsStored(store kind: TestStore) async throws {
                        try await TestDatabase.with(kind, migrations: AppMigrations.all) { _, database in
                            let store = \(type)Store(database: database)
                \(storedParent)            var item = \(sampleCall("1"))
                \(edges.joined(separator: "\n"))
                            \(insert)
                            let found = try await store.find(id: item.id)
                            #expect(found == item)
                            let listed = try await Self.list(store, \(parentArgument)ListQuery(limit: 10))
                            #expect(listed == [item])
                        }
                    }

                """
        }
        if let first {
            tests += """

                    @Test(arguments: TestStore.available)
                    func updateAndDelete(store kind: TestStore) async throws {
                        struct Refused: Error {}
                        try await TestDatabase.with(kind, migrations: AppMigrations.all) { _, database in
                            let store = \(type)Store(database: database)
                \(storedParent)            let item = \(sampleCall("0"))
                            \(insert)
                            let later = Timestamp(secondsSince1970: item.updatedAt.secondsSince1970 + 60)
                            var expected = item
                            expected.\(first.property) = \(first.exampleSwift)
                            expected.updatedAt = later
                            let changed = try await store.update(id: item.id, \(updateArguments.joined(separator: ", ")), updatedAt: later)
                            #expect(changed == expected)
                            await #expect(throws: Refused.self) {
                                _ = try await store.update(id: item.id, \(noChange.joined(separator: ", ")), updatedAt: later, precondition: { _ in throw Refused() })
                            }
                            await #expect(throws: Refused.self) { _ = try await store.delete(id: item.id, precondition: { _ in throw Refused() }) }
                            let unchanged = try await store.find(id: item.id)
                            #expect(unchanged == expected)
                            let missing = try await store.update(id: UUID(), \(noChange.joined(separator: ", ")), updatedAt: later)
                            #expect(missing == nil)
                            let deleted = try await store.delete(id: item.id)
                            #expect(deleted == expected)
                            let gone = try await store.find(id: item.id)
                            #expect(gone == nil)
                            let again = try await store.delete(id: item.id)
                            #expect(again == nil)
                        }
                    }

                """
        }
        if let parentNames {
            tests += """

                    @Test(arguments: TestStore.available)
                    func needsIts\(parentNames.type)AndGoesWithIt(store kind: TestStore) async throws {
                        try await TestDatabase.with(kind, migrations: AppMigrations.all) { _, database in
                            let store = \(type)Store(database: database)
                            let orphan = \(type).sample(0, \(parentNames.property): UUID())
                            let inserted = try await store.insert(orphan)
                            #expect(!inserted)
                            let none = try await Self.list(store, orphan.\(parentNames.property), ListQuery(limit: 10))
                            #expect(none == nil)
                            let \(parentNames.name) = try await \(parentNames.type).stored(on: database)
                            let items = (0..<3).map { \(sampleCall("$0")) }
                            for item in items { #expect(try await store.insert(item)) }
                            let removed = try await \(parentNames.type)Store(database: database).delete(id: \(parentNames.name).id)
                            #expect(removed?.id == \(parentNames.name).id)
                            for item in items {
                                let found = try await store.find(id: item.id)
                                #expect(found == nil)
                            }
                            let after = try await Self.list(store, \(parentNames.name).id, ListQuery(limit: 10))
                            #expect(after == nil)
                        }
                    }

                """
        }
        tests += """

                static func list(_ store: \(type)Store, \(listParameter)_ query: ListQuery) async throws -> [\(type)]\(parent == nil ? "" : "?") {
                    try await store.list(\(listLabel)query, into: []) { $0.append(\(type)($1)) }
                }
            }

            """
        return tests
    }

    var serializerTests: String {
        let keys = (["id"] + fields.map(\.column) + ["created_at", "updated_at"]).map { "\"\($0)\"" }.joined(separator: ", ")
        return """
            import Foundation
            import NIOCore
            import PlinthCore
            import Testing
            import \(app.module)Core

            /// The \(name) wire format.
            @Suite struct \(type)SerializerTests {
                @Test func writesEveryFieldInOrderCompactOrPretty() throws {
                    let item = \(type).sample(3\(parentNames.map { ", \($0.property): UUID()" } ?? ""))
                    let keys = [\(keys)]
                    for pretty in [false, true] {
                        let text = String(buffer: \(type)Serializer.serialize(item, pretty: pretty))
                        var position = text.startIndex
                        for key in keys {
                            let found = try #require(text.range(of: "\\"\\(key)\\":", range: position..<text.endIndex))
                            position = found.upperBound
                        }
                        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                        #expect(object.count == keys.count)
                        #expect(object["id"] as? String == item.id.lowercasedString)
                        #expect(object["created_at"] as? String == item.createdAt.iso8601)
                        #expect(text.contains("\\n") == pretty)
                    }
                }
            }

            """
    }

    var endpointTests: String {
        let valid = "{" + inputs.map { "\"\($0.column)\": \($0.example.json)" }.joined(separator: ", ") + "}"
        let wrong = "{" + inputs.map { "\"\($0.column)\": \($0.wrongJSON)" }.joined(separator: ", ") + "}"
        let unknown = "{" + inputs.map { "\"\($0.column)\": \($0.example.json)" }.joined(separator: ", ") + ", \"colour\": 1}"
        let first = inputs[0]
        let tooLong = inputs.first { $0.kind == .string }.map { long in
            "{"
                + inputs.map { "\"\($0.column)\": \($0 == long ? "\"" + String(repeating: "x", count: 201) + "\"" : $0.example.json)" }
                .joined(separator: ", ") + "}"
        }
        let checks = inputs.map { "            #expect(stored.\($0.property) == \($0.exampleSwift))" }
        let names = inputs.map { "\"\($0.column)\"" }.joined(separator: ", ")
        var tests = """
            import Foundation
            import Hummingbird
            import HummingbirdTesting
            import NIOCore
            import Plinth
            import PlinthCore
            import PlinthTesting
            import Testing
            import \(app.module)
            import \(app.module)Core

            /// `\(collectionPath)` and `/\(table)/:id` over HTTP, on every database.
            @Suite struct \(Naming.type(table))EndpointsTests {
                static let valid = #"\(valid)"#

                @Test(arguments: TestStore.available)
                func createShowUpdateAndDelete(store kind: TestStore) async throws {
                    try await TestApp.with(store: kind) { client, database in
            \(storedParent)            let body = ByteBuffer(string: Self.valid)
                        let unauthorized = try await client.execute(uri: \(collectionURI), method: .post, headers: [.contentType: "application/json"], body: body)
                        #expect(unauthorized.status == .unauthorized)
                        let created = try await client.write(\(collectionURI), .post, json: Self.valid)
                        #expect(created.status == .created)
                        let location = try #require(created.headers[.location])
                        let id = try #require(UUID(canonical: location.split(separator: "/").last ?? ""))
                        let found = try await \(type)Store(database: database).find(id: id)
                        let stored = try #require(found)
            \(checks.joined(separator: "\n"))
            \(parentNames.map { "            #expect(stored.\($0.property) == \($0.name).id)\n" } ?? "")            #expect(created.text == String(buffer: \(type)Serializer.serialize(stored, pretty: false)))
                        let shown = try await client.execute(uri: location, method: .get)
                        #expect(shown.status == .ok)
                        let etag = try #require(shown.headers[.eTag])
                        #expect(created.headers[.eTag] == etag)
                        let notModified = try await client.execute(uri: location, method: .get, headers: [.ifNoneMatch: etag])
                        #expect(notModified.status == .notModified)
                        let change = #"{"\(first.column)": \(first.other.json)}"#
                        let updated = try await client.write(location, .patch, json: change, headers: [.ifMatch: etag])
                        #expect(updated.status == .ok)
                        let changed = try await \(type)Store(database: database).find(id: id)
                        #expect(changed?.\(first.property) == \(first.other.swift))
                        let stale = try await client.write(location, .patch, json: change, headers: [.ifMatch: etag])
                        #expect(stale.status == .preconditionFailed)
                        let nothing = try await client.write(location, .patch, json: "{}")
                        #expect(nothing.status == .unprocessableContent)
                        let deleted = try await client.write(location, .delete)
                        #expect(deleted.status == .ok)
                        let gone = try await client.execute(uri: location, method: .get)
                        #expect(gone.status == .notFound)
                    }
                }

                @Test(arguments: TestStore.available)
                func listPagesWithRange(store kind: TestStore) async throws {
                    try await TestApp.with(store: kind) { client, database in
            \(storedParent)            let items = (0..<3).map { \(sampleCall("$0")) }
                        for item in items { \(parent == nil ? "" : "_ = ")try await \(type)Store(database: database).insert(item) }
                        let ordered = items.sorted { ($0.createdAt, $0.id.lowercasedString) < ($1.createdAt, $1.id.lowercasedString) }
                        let all = try await client.execute(uri: \(collectionURI), method: .get)
                        #expect(all.status == .ok)
                        #expect(all.array.compactMap { $0["id"] as? String } == ordered.map(\\.id.lowercasedString))
                        let first = try await client.execute(uri: \(collectionURI), method: .get, headers: [.range: "created_at ..; max=2"])
                        #expect(first.status == .partialContent)
                        #expect(first.array.count == 2)
                        let next = try #require(first.headers[.nextRange])
                        let rest = try await client.execute(uri: \(collectionURI), method: .get, headers: [.range: next])
                        #expect(rest.status == .ok)
                        #expect(rest.array.compactMap { $0["id"] as? String } == [ordered[2].id.lowercasedString])
                        let malformed = try await client.execute(uri: \(collectionURI), method: .get, headers: [.range: "colour ..; max=2"])
                        #expect(malformed.status == .rangeNotSatisfiable)
                    }
                }

                @Test(arguments: TestStore.available)
                func badInputIsAClearErrorAndStoresNothing(store kind: TestStore) async throws {
                    try await TestApp.with(store: kind) { client, database in
            \(storedParent)            let missing = try await client.write(\(collectionURI), .post, json: "{}")
                        #expect(missing.status == .unprocessableContent)
                        #expect(missing.errorID == "unprocessable_entity")
                        for field in [\(names)] { #expect(missing.text.contains("\\(field) is required")) }
                        let wrong = try await client.write(\(collectionURI), .post, json: #"\(wrong)"#)
                        #expect(wrong.status == .unprocessableContent)
                        for field in [\(names)] { #expect(wrong.text.contains("\\(field) must be")) }
                        let unknown = try await client.write(\(collectionURI), .post, json: #"\(unknown)"#)
                        #expect(unknown.status == .unprocessableContent)
                        #expect(unknown.text.contains("colour"))
                        let notJSON = try await client.write(\(collectionURI), .post, json: "{")
                        #expect(notJSON.status == .badRequest)
            \(tooLong.map { "            let tooLong = try await client.write(\(collectionURI), .post, json: #\"\($0)\"#)\n            #expect(tooLong.status == .unprocessableContent)\n" } ?? "")            let listed = try await client.execute(uri: \(collectionURI), method: .get)
                        #expect(listed.status == .ok)
                        #expect(listed.array.isEmpty)
                    }
                }

                @Test(arguments: TestStore.available)
                func unknownOrMalformedIDsAre404(store kind: TestStore) async throws {
                    try await TestApp.with(store: kind) { client, _ in
                        for uri in ["/\(table)/\\(UUID().lowercasedString)", "/\(table)/not-a-uuid"] {
                            let response = try await client.execute(uri: uri, method: .get)
                            #expect(response.status == .notFound)
                            #expect(response.errorID == "not_found")
                        }
                        let update = try await client.write("/\(table)/\\(UUID().lowercasedString)", .patch, json: Self.valid)
                        #expect(update.status == .notFound)
                        let delete = try await client.write("/\(table)/\\(UUID().lowercasedString)", .delete)
                        #expect(delete.status == .notFound)

            """
        if let parentNames {
            let orphan = "\"/\(Naming.plural(parentNames.name))/\\(UUID().lowercasedString)/\(table)\""
            tests += """
                            let list = try await client.execute(uri: \(orphan), method: .get)
                            #expect(list.status == .notFound)
                            let create = try await client.write(\(orphan), .post, json: Self.valid)
                            #expect(create.status == .notFound)
                        }
                    }

                    @Test(arguments: TestStore.available)
                    func deletingThe\(parentNames.type)DeletesIts\(Naming.type(table))(store kind: TestStore) async throws {
                        try await TestApp.with(store: kind) { client, database in
                            let \(parentNames.name) = try await \(parentNames.type).stored(on: database)
                            let created = try await client.write(\(collectionURI), .post, json: Self.valid)
                            let location = try #require(created.headers[.location])
                            let removed = try await \(parentNames.type)Store(database: database).delete(id: \(parentNames.name).id)
                            #expect(removed != nil)
                            let gone = try await client.execute(uri: location, method: .get)
                            #expect(gone.status == .notFound)
                            let list = try await client.execute(uri: \(collectionURI), method: .get)
                            #expect(list.status == .notFound)
                        }
                    }
                }

                """
        } else {
            tests += """
                        }
                    }
                }

                """
        }
        return tests
    }
}
