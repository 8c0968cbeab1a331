import Foundation

extension APIReference {
    /// The reference as Markdown, with a table of contents linking each operation's section.
    public func markdown() -> String {
        var out = ["# \(title) API reference", ""]
        if !version.isEmpty { out += ["Version \(version).", ""] }
        if !description.isEmpty { out += [description, ""] }
        out += ["## Contents", ""]
        out += operations.map { "- [`\($0.method) \($0.path)`](#\($0.anchor)): \($0.summary)" }
        for operation in operations {
            out += ["", "<a id=\"\(operation.anchor)\"></a>", "", "## `\(operation.method) \(operation.path)`", "", operation.summary, ""]
            if !operation.parameters.isEmpty {
                out += ["| parameter | in | required | description |", "|---|---|---|---|"]
                out += operation.parameters.map {
                    "| `\($0.name)` | \($0.location) | \($0.required ? "yes" : "no") | \(Self.cell($0.description)) |"
                }
                out.append("")
            }
            if let body = operation.body {
                out += ["Request body (`application/json`):", "", "| field | type | required | constraints | description |", "|---|---|---|---|---|"]
                out += body.map {
                    "| `\($0.name)` | \($0.type) | \($0.required ? "yes" : "no") | \(Self.cell($0.constraints)) | \(Self.cell($0.description)) |"
                }
                out.append("")
            }
            out += ["| status | meaning | error ids | headers | example body |", "|---|---|---|---|---|"]
            out += operation.responses.map {
                "| \($0.status) | \(Self.cell($0.description)) | \($0.errorIDs.map { "`\($0)`" }.joined(separator: ", ")) | "
                    + "\($0.headers.map { "`\($0)`" }.joined(separator: ", ")) | "
                    + "\($0.example.map { $0.count <= 80 ? "`\(Self.cell($0))`" : "below" } ?? "") |"
            }
            for response in operation.responses {
                guard let example = response.example, example.count > 80 else { continue }
                out += ["", "Example \(response.status) body:", "", "```json", example, "```"]
            }
            out += ["", "Example (answers \(operation.expectedStatus)):", "", "```sh", operation.curl, "```"]
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The reference as one HTML page: no scripts, no external assets, readable at phone width.
    public func html() -> String {
        var out = [
            "<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", "<title>\(Self.escape(title)) API reference</title>",
            "<link rel=\"icon\" href=\"data:,\">",
            "<style>\(Self.style)</style>", "</head>", "<body>", "<main>", "<h1>\(Self.escape(title)) API reference</h1>",
        ]
        if !description.isEmpty { out.append("<p>\(Self.inline(description))</p>") }
        out += ["<nav aria-label=\"Contents\"><h2>Contents</h2><ul>"]
        out += operations.map {
            "<li><a href=\"#\($0.anchor)\"><code>\($0.method) \(Self.escape($0.path))</code></a> \(Self.inline($0.summary))</li>"
        }
        out.append("</ul></nav>")
        for operation in operations {
            out += [
                "<section id=\"\(operation.anchor)\">", "<h2><code>\(operation.method) \(Self.escape(operation.path))</code></h2>",
                "<p>\(Self.inline(operation.summary))</p>",
            ]
            if !operation.parameters.isEmpty {
                out.append(
                    Self.table(
                        ["parameter", "in", "required", "description"],
                        operation.parameters.map {
                            ["<code>\(Self.escape($0.name))</code>", $0.location, $0.required ? "yes" : "no", Self.inline($0.description)]
                        }))
            }
            if let body = operation.body {
                out.append("<h3>Request body</h3>")
                out.append(
                    Self.table(
                        ["field", "type", "required", "constraints", "description"],
                        body.map {
                            [
                                "<code>\(Self.escape($0.name))</code>", $0.type, $0.required ? "yes" : "no", Self.escape($0.constraints),
                                Self.inline($0.description),
                            ]
                        }))
            }
            out.append("<h3>Responses</h3>")
            out.append(
                Self.table(
                    ["status", "meaning", "error ids", "headers", "example body"],
                    operation.responses.map {
                        [
                            $0.status, Self.inline($0.description), $0.errorIDs.map { "<code>\($0)</code>" }.joined(separator: ", "),
                            $0.headers.map { "<code>\(Self.escape($0))</code>" }.joined(separator: ", "),
                            $0.example.map { "<code class=\"example\">\(Self.escape(String($0.prefix(160))))</code>" } ?? "",
                        ]
                    }))
            out += [
                "<h3>Example</h3>", "<pre><code class=\"curl\">\(Self.escape(operation.curl))</code></pre>",
                "<p>Answers <code class=\"status\">\(operation.expectedStatus)</code>.</p>", "</section>",
            ]
        }
        out += ["</main>", "</body>", "</html>"]
        return out.joined(separator: "\n") + "\n"
    }

    static let style = """
        body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1b1b1b;background:#fff}\
        main{max-width:60rem;margin:0 auto;padding:1rem}\
        h1{font-size:1.8rem}h2{font-size:1.3rem;margin-top:2.5rem;border-top:1px solid #ddd;padding-top:1rem}\
        code,pre{font-family:ui-monospace,monospace;font-size:.9em;overflow-wrap:break-word}\
        pre,.example{overflow-wrap:anywhere}\
        pre{background:#f5f5f5;padding:.75rem;overflow-x:auto;white-space:pre-wrap}\
        .table{overflow-x:auto}table{border-collapse:collapse;width:100%;margin:.5rem 0}\
        th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}\
        th{background:#f5f5f5}nav ul{padding-left:1.2rem}\
        @media (max-width:40rem){thead{display:none}table,tbody,tr,td{display:block}\
        tr{border:1px solid #ddd;margin:.5rem 0}td{border:none;padding:.15rem .5rem}\
        td::before{content:attr(data-label);display:block;font-size:.8em;color:#555}}
        """

    private static func table(_ head: [String], _ rows: [[String]]) -> String {
        "<div class=\"table\"><table><thead><tr>" + head.map { "<th>\($0)</th>" }.joined() + "</tr></thead><tbody>"
            + rows.map { "<tr>" + zip(head, $0).map { "<td data-label=\"\($0)\">\($1)</td>" }.joined() + "</tr>" }.joined()
            + "</tbody></table></div>"
    }

    /// A Markdown table cell: no line breaks or bare pipes.
    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "\\|")
    }

    /// HTML text, with the schema's `code` spans kept.
    private static func inline(_ text: String) -> String {
        escape(text).split(separator: "`", omittingEmptySubsequences: false).enumerated().map {
            $0.offset % 2 == 1 ? "<code>\($0.element)</code>" : String($0.element)
        }.joined()
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
