/// logfmt encoding: `key=value` pairs, quoting and escaping values so that none can forge a field or a line.
public enum Logfmt {
    /// Appends ` key=value` (a leading space unless `line` is empty) to `line`.
    public static func append(_ key: String, _ value: String, to line: inout String) {
        if !line.isEmpty { line += " " }
        line += key
        line += "="
        appendValue(value, to: &line)
    }

    /// Appends `value`, bare when it is safe, otherwise quoted with `"`, `\` and control characters escaped.
    public static func appendValue(_ value: String, to line: inout String) {
        let needsQuotes =
            value.isEmpty
            || value.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == 0x7F }
        guard needsQuotes else {
            line += value
            return
        }
        line += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}" || scalar == "\u{85}":
                line += "\\u"
                let hex = String(scalar.value, radix: 16)
                line += String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}
