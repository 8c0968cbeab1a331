import Hummingbird
import NIOCore
import Plinth

/// The request context of the posts app: Hummingbird's core plus what Plinth's middleware record.
public struct AppRequestContext: PlinthRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// Set by `RequestIDMiddleware`.
    public var requestIDs: [String] = []
    /// Read by the canonical log line.
    public var requestLog = RequestLog()
    /// The peer's address.
    public let remoteIP: String?

    /// Creates the context for a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteIP = source.channel.remoteAddress?.ipAddress
    }

    /// Request bodies above 1 MiB get 413.
    public var maxUploadSize: Int { PostsEndpoints.maxBodyBytes }
}
