import HTTPTypes
import Hummingbird
import NIOCore
import PlinthCore

extension APIError: HTTPResponseError {
    /// Renders the error as Pliny's JSON body with its headers.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response(allocator: ByteBufferAllocator())
    }

    /// Renders the error as Pliny's JSON body with its headers.
    public func response(allocator: ByteBufferAllocator) -> Response {
        Response(status: status, headers: responseHeaders, body: .init(byteBuffer: body(allocator: allocator)))
    }

    /// The JSON body: `{"id":"...","message":"..."}`.
    public func body(allocator: ByteBufferAllocator) -> ByteBuffer {
        var writer = JSONWriter(buffer: allocator.buffer(capacity: 64 + message.utf8.count))
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("message")
        writer.string(message)
        writer.endObject()
        return writer.buffer
    }

    /// The error's own headers plus JSON content type and `no-store`.
    public var responseHeaders: HTTPFields {
        var fields = headers
        fields[.contentType] = JSONResponse.contentType
        fields[.cacheControl] = "no-store"
        return fields
    }
}

extension APIError {
    /// Maps Hummingbird's own errors (no route, body too large, ...) to Pliny's ids.
    public init(_ error: HTTPError) {
        let kind: Kind =
            switch error.status {
            case .notFound: .notFound
            case .methodNotAllowed: .methodNotAllowed
            case .contentTooLarge: .requestEntityTooLarge
            case .unsupportedMediaType: .unsupportedMediaType
            case .unauthorized: .unauthorized
            case .forbidden: .forbidden
            case .uriTooLong: .requestURITooLong
            case .requestHeaderFieldsTooLarge: .requestHeaderFieldsTooLarge
            case .serviceUnavailable: .serviceUnavailable
            case .requestTimeout: .requestTimeout
            case .rangeNotSatisfiable: .requestedRangeNotSatisfiable
            case .unprocessableContent: .unprocessableEntity
            default:
                error.status.kind == .clientError
                    ? Kind(status: error.status, id: "bad_request", defaultMessage: "Bad request.")
                    : .internalServerError
            }
        self.init(kind, headers: error.headers)
    }
}
