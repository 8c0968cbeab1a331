import Hummingbird
import NIOCore
import Plinth
import PlinthCore

/// The request context of the posts app: Hummingbird's core plus what Plinth's middleware record.
public struct AppRequestContext: PlinthRequestContext, VersionedRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// Set by `RequestIDMiddleware`.
    public var requestIDs: [String] = []
    /// Read by the canonical log line.
    public var requestLog = RequestLog()
    /// Set by `VersioningMiddleware` from `Accept: application/vnd.posts+json; version=N`.
    public var apiVersion = 1
    /// The peer's address.
    public let remoteIP: String?

    /// Creates the context for a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteIP = source.channel.remoteAddress?.ipAddress
    }

    /// Request bodies above 1 MiB get 413.
    public var maxUploadSize: Int { ResourceEndpoints.maxBodyBytes }
}
