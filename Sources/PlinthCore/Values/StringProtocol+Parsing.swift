/// Small parsing helpers for header values, shared by the Range, Accept and Accept-Encoding parsers.
extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    public func trimmingASCIIWhitespace() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    /// The parts before and after the first `separator`; the second is `nil` without one.
    public func splitOnce(_ separator: Character) -> (String, String?) {
        guard let index = firstIndex(of: separator) else { return (String(self), nil) }
        return (String(self[..<index]), String(self[self.index(after: index)...]))
    }
}
