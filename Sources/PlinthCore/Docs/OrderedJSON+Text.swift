import Foundation

extension OrderedJSON {
    /// The document as text, members in order, indented by two spaces as `JSON.stringify(value,
    /// null, 2)` writes it: what a person editing `schema.json` by hand keeps, so a generator's
    /// change to it reads as a small diff.
    public var indentedText: String {
        var text = ""
        write(to: &text, depth: 0)
        return text + "\n"
    }

    /// The same value with `key` set: replaced where it is, or appended last.
    public func setting(_ key: String, to value: OrderedJSON) -> OrderedJSON {
        var members = self.members
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append((key, value))
        }
        return .object(members)
    }

    private func write(to text: inout String, depth: Int) {
        let indent = String(repeating: "  ", count: depth + 1)
        let closing = String(repeating: "  ", count: depth)
        switch self {
        case .null: text += "null"
        case .bool(let value): text += value ? "true" : "false"
        case .number(let number): text += number
        case .string(let string): Self.quote(string, into: &text)
        case .array(let elements):
            guard !elements.isEmpty else { return text += "[]" }
            text += "[\n"
            for (index, element) in elements.enumerated() {
                text += indent
                element.write(to: &text, depth: depth + 1)
                text += index == elements.count - 1 ? "\n" : ",\n"
            }
            text += closing + "]"
        case .object(let members):
            guard !members.isEmpty else { return text += "{}" }
            text += "{\n"
            for (index, member) in members.enumerated() {
                text += indent
                Self.quote(member.key, into: &text)
                text += ": "
                member.value.write(to: &text, depth: depth + 1)
                text += index == members.count - 1 ? "\n" : ",\n"
            }
            text += closing + "}"
        }
    }

    private static func quote(_ string: String, into text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20: text += String(format: "\\u%04x", scalar.value)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
