import Foundation
import HTTPTypes
import Hummingbird
import PlinthCore

/// Reads a JSON request body with the checks every write endpoint needs.
public enum JSONBody {
    /// The body's bytes: 415 unless `Content-Type` is JSON, 413 past `maxBytes`.
    ///
    /// A `Content-Length` over the limit is refused before anything is read.
    public static func read(_ request: Request, maxBytes: Int) async throws -> Data {
        guard let contentType = request.headers[.contentType], isJSON(contentType) else {
            throw APIError(.unsupportedMediaType, message: "Send the body as JSON with `Content-Type: application/json`.")
        }
        let tooLarge = APIError(.requestEntityTooLarge, message: "Request body is larger than \(maxBytes) bytes.")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes { throw tooLarge }
        do {
            let buffer = try await request.body.collect(upTo: maxBytes)
            return Data(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        }
    }

    /// Whether `contentType` is `application/json` or `application/*+json`, any parameters allowed.
    public static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first?.trimmingASCIIWhitespace().lowercased() ?? ""
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}
