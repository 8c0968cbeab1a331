/// Sizes a request head may have; beyond them the connection gets 414 or 431.
///
/// The defaults are nginx's: a request line or one header line within 8 KB, all headers
/// within 32 KB (`large_client_header_buffers 4 8k`).
public struct HTTPHeadLimits: Sendable, Equatable {
    /// The longest request URI.
    public var maxURIBytes: Int
    /// The longest header field (name or value).
    public var maxFieldBytes: Int
    /// All header bytes together.
    public var maxTotalBytes: Int
    /// The most header fields.
    public var maxFieldCount: Int

    /// Creates limits.
    public init(maxURIBytes: Int = 8192, maxFieldBytes: Int = 8192, maxTotalBytes: Int = 32768, maxFieldCount: Int = 100) {
        self.maxURIBytes = maxURIBytes
        self.maxFieldBytes = maxFieldBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxFieldCount = maxFieldCount
    }
}
