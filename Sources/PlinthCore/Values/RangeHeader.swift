/// A Heroku-style `Range` request header: `<field> [<start>]..[<end>][; max=<n>, order=<asc|desc>]`.
///
/// A start value prefixed with `]` is exclusive, which is how `Next-Range` continues after the
/// last item of a page. Values are left as strings: the resource knows what its fields hold.
/// ```swift
/// let range = try RangeHeader(parsing: "created_at ..; max=50", fields: ["created_at", "id"], defaultMax: 200, maxCap: 1000)
/// ```
public struct RangeHeader: Sendable, Equatable {
    /// The field the range and the order refer to.
    public var field: String
    /// The first value, if given.
    public var start: String?
    /// Whether `start` itself is excluded (`]value`).
    public var startExclusive: Bool
    /// The last value (inclusive), if given.
    public var end: String?
    /// The page size.
    public var max: Int
    /// Whether the order is descending.
    public var descending: Bool

    /// Creates a range.
    public init(field: String, start: String? = nil, startExclusive: Bool = false, end: String? = nil, max: Int, descending: Bool = false) {
        self.field = field
        self.start = start
        self.startExclusive = startExclusive
        self.end = end
        self.max = max
        self.descending = descending
    }

    /// Parses `text`; throws 416 `requested_range_not_satisfiable` saying what is wrong.
    ///
    /// `max` larger than `maxCap` is lowered to it, as Heroku's API does.
    public init(parsing text: String, fields: [String], defaultMax: Int, maxCap: Int) throws {
        func reject(_ problem: String) -> APIError {
            APIError(
                .requestedRangeNotSatisfiable,
                message: "Invalid Range header: \(problem). Expected e.g. `\(fields.first ?? "id") ..; max=\(defaultMax)`."
            )
        }
        guard text.utf8.count <= 512 else { throw reject("too long") }
        let trimmed = text.trimmingASCIIWhitespace()
        let (spec, parameters) = trimmed.splitOnce(";")
        let (fieldPart, rangePart) = spec.trimmingASCIIWhitespace().splitOnce(" ")
        guard fields.contains(fieldPart) else {
            throw reject("unknown field \"\(fieldPart.prefix(40))\"; sortable fields are \(fields.joined(separator: ", "))")
        }
        field = fieldPart
        max = defaultMax
        descending = false
        startExclusive = false
        let range = (rangePart ?? "..").trimmingASCIIWhitespace()
        guard let dots = range.range(of: "..") else { throw reject("missing \"..\" between start and end") }
        var startText = String(range[..<dots.lowerBound]).trimmingASCIIWhitespace()
        let endText = String(range[dots.upperBound...]).trimmingASCIIWhitespace()
        if startText.hasPrefix("]") {
            startExclusive = true
            startText.removeFirst()
            guard !startText.isEmpty else { throw reject("\"]\" must be followed by a start value") }
        }
        start = startText.isEmpty ? nil : startText
        end = endText.isEmpty ? nil : endText
        for parameter in (parameters ?? "").split(whereSeparator: { $0 == "," || $0 == ";" }) {
            let (name, value) = String(parameter).trimmingASCIIWhitespace().splitOnce("=")
            switch (name.trimmingASCIIWhitespace(), value?.trimmingASCIIWhitespace()) {
            case ("max", let value?):
                guard let number = Int(value), number >= 1 else { throw reject("max must be a positive integer") }
                max = Swift.min(number, maxCap)
            case ("order", "asc"): descending = false
            case ("order", "desc"): descending = true
            case ("order", _): throw reject("order must be asc or desc")
            case ("", nil): continue
            default: throw reject("unknown parameter \"\(name.prefix(40))\"")
            }
        }
    }

    /// The header text, e.g. `created_at ]2015-03-01T12:00:52Z..; max=200` (used for `Next-Range`).
    public var headerValue: String {
        var text = field + " "
        if let start { text += (startExclusive ? "]" : "") + start }
        text += ".."
        if let end { text += end }
        text += "; max=\(max)"
        if descending { text += ", order=desc" }
        return text
    }
}
