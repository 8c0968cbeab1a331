import Foundation

/// Reads the elements of a top-level JSON array one at a time from a file, in chunks, so a file of
/// any size is read in constant memory: a chunk and the elements found in it.
///
/// It finds where each element starts and ends (strings and nesting respected) and hands its bytes to
/// the caller, who decodes it; it does not check the element's own syntax.
/// ```swift
/// let reader = JSONArrayReader(path: "posts.json")
/// while let element = try reader.next() {
///     let post = try JSONDecoder().decode(Record.self, from: element)
/// }
/// ```
public final class JSONArrayReader {
    /// Why a file is not a JSON array.
    public struct FormatError: Error, CustomStringConvertible {
        /// What is wrong, and where.
        public let description: String
    }

    private let path: String?
    private var handle: FileHandle?
    private let data: Data?
    private var dataOffset = 0
    private let chunkSize: Int
    private var scanner = Scanner()
    private var pending: [Data] = []
    private var pendingIndex = 0
    private var finished = false

    /// A reader of the file at `path`.
    public init(path: String, chunkSize: Int = 1 << 16) {
        self.path = path
        self.data = nil
        self.chunkSize = chunkSize
    }

    /// A reader of `data` (tests, small inputs), `chunkSize` bytes at a time.
    public init(data: Data, chunkSize: Int = 1 << 16) {
        self.path = nil
        self.data = data
        self.chunkSize = chunkSize
    }

    deinit { try? handle?.close() }

    /// The next element's bytes, or `nil` after the last; throws ``FormatError`` for a file that is not
    /// one JSON array (possibly after some elements were returned: check them all before acting on them).
    public func next() throws -> Data? {
        while pendingIndex == pending.count {
            guard !finished else { return nil }
            pending.removeAll(keepingCapacity: true)
            pendingIndex = 0
            guard let chunk = try readChunk(), !chunk.isEmpty else {
                finished = true
                try scanner.finish()
                return nil
            }
            try scanner.feed(chunk) { pending.append($0) }
        }
        pendingIndex += 1
        return pending[pendingIndex - 1]
    }

    private func readChunk() throws -> Data? {
        if let data {
            let end = min(dataOffset + chunkSize, data.count)
            defer { dataOffset = end }
            return data[dataOffset..<end]
        }
        if handle == nil {
            guard let path, let opened = FileHandle(forReadingAtPath: path) else { throw FormatError(description: "cannot read the file") }
            handle = opened
        }
        return try handle?.read(upToCount: chunkSize)
    }

    private struct Scanner {
        enum Phase { case beforeArray, beforeElement, inElement, afterElement, done }
        var phase = Phase.beforeArray
        var element = Data()
        var depth = 0
        var inString = false
        var escaped = false
        var offset = 0
        var count = 0

        mutating func feed(_ chunk: Data, _ body: (Data) throws -> Void) throws {
            var start: Data.Index? = phase == .inElement ? chunk.startIndex : nil
            for index in chunk.indices {
                let byte = chunk[index]
                defer { offset += 1 }
                switch phase {
                case .beforeArray:
                    if Self.isSpace(byte) { continue }
                    guard byte == UInt8(ascii: "[") else { throw error("expected [") }
                    phase = .beforeElement
                case .beforeElement, .afterElement:
                    if Self.isSpace(byte) { continue }
                    if byte == UInt8(ascii: "]") {
                        guard phase == .afterElement || count == 0 else { throw error("expected a value") }
                        phase = .done
                        continue
                    }
                    if phase == .afterElement {
                        guard byte == UInt8(ascii: ",") else { throw error("expected , or ]") }
                        phase = .beforeElement
                        continue
                    }
                    guard byte != UInt8(ascii: ",") else { throw error("expected a value") }
                    phase = .inElement
                    start = index
                    try scan(byte)
                case .inElement:
                    if depth == 0, !inString, byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || Self.isSpace(byte) {
                        element.append(contentsOf: chunk[start!..<index])
                        try body(element)
                        count += 1
                        element.removeAll(keepingCapacity: true)
                        start = nil
                        phase = byte == UInt8(ascii: ",") ? .beforeElement : byte == UInt8(ascii: "]") ? .done : .afterElement
                        continue
                    }
                    try scan(byte)
                case .done:
                    guard Self.isSpace(byte) else { throw error("trailing characters after the array") }
                }
            }
            if let start, phase == .inElement { element.append(contentsOf: chunk[start...]) }
        }

        /// Tracks strings and nesting inside an element.
        mutating func scan(_ byte: UInt8) throws {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                return
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                guard depth >= 0 else { throw error("unbalanced brackets") }
            default: break
            }
        }

        func finish() throws {
            guard phase == .done else { throw error(phase == .beforeArray ? "not a JSON array" : "the array is not closed") }
        }

        func error(_ problem: String) -> FormatError { FormatError(description: "\(problem) at byte \(offset)") }

        static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
    }
}
