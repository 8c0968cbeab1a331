import HTTPTypes
import Hummingbird
import PlinthCore

/// A request context that carries the API version the client asked for.
public protocol VersionedRequestContext: RequestContext {
    /// The version chosen by ``VersioningMiddleware``.
    var apiVersion: Int { get set }
}

/// Reads the API version from `Accept: application/vnd.<app>+json; version=N`, as Pliny's Versioning.
///
/// Without a vendor type the default version applies. A vendor type without a version is 400
/// `bad_version`; a version the app does not serve is 406 `not_acceptable`.
/// ```swift
/// router.add(middleware: VersioningMiddleware(appName: "posts", defaultVersion: 1, supported: [1]))
/// ```
public struct VersioningMiddleware<Context: VersionedRequestContext>: RouterMiddleware {
    /// The vendor name in the media type.
    public let appName: String
    /// The version when the client names none.
    public let defaultVersion: Int
    /// The versions served.
    public let supported: Set<Int>
    private let vendorType: String

    /// Creates the middleware.
    public init(appName: String, defaultVersion: Int, supported: Set<Int>) {
        self.appName = appName
        self.defaultVersion = defaultVersion
        self.supported = supported
        self.vendorType = "application/vnd.\(appName.lowercased())+json"
    }

    /// Sets `context.apiVersion`.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.apiVersion = try version(request.headers[values: .accept])
        return try await next(request, context)
    }

    func version(_ accepts: [String]) throws -> Int {
        for accept in accepts {
            for mediaRange in accept.split(separator: ",") {
                let parts = mediaRange.split(separator: ";")
                guard parts.first?.trimmingASCIIWhitespace().lowercased() == vendorType else { continue }
                for parameter in parts.dropFirst() {
                    let (name, value) = parameter.trimmingASCIIWhitespace().splitOnce("=")
                    guard name.lowercased() == "version" else { continue }
                    guard let value, let number = Int(value.trimmingASCIIWhitespace()) else { break }
                    guard supported.contains(number) else {
                        throw APIError(
                            .notAcceptable,
                            message:
                                "Version \(number) is not supported; this API serves version \(supported.sorted().map(String.init).joined(separator: ", "))."
                        )
                    }
                    return number
                }
                throw APIError(
                    .badVersion,
                    message: "Please specify a version along with the MIME type. For example, `Accept: \(vendorType); version=\(defaultVersion)`."
                )
            }
        }
        return defaultVersion
    }
}
