import HTTPTypes
import Hummingbird
import NIOCore
import PlinthCore

/// Builds JSON responses from bytes that a serializer wrote.
public enum JSONResponse {
    /// `application/json; charset=utf-8`, the content type of every JSON body.
    public static let contentType = "application/json; charset=utf-8"

    /// A JSON response with `status`, the body and any extra headers (a `Content-Type` among them
    /// replaces JSON's, for the few pages that are not JSON).
    public static func make(status: HTTPResponse.Status = .ok, body: ByteBuffer, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        if fields[.contentType] == nil { fields[.contentType] = contentType }
        return Response(status: status, headers: fields, body: .init(byteBuffer: body))
    }

    /// Whether the request asks for indented JSON (`?pretty=true`), or `default` when it does not say.
    public static func wantsPretty(_ request: Request, default pretty: Bool) -> Bool {
        guard let value = request.uri.queryParameters["pretty"] else { return pretty }
        return value == "true" || value == "1"
    }
}
