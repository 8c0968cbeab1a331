import Hummingbird
import NIOCore
import Plinth
import PlinthCore
import Testing

@Suite struct APIErrorTests {
    @Test func rendersPlinysBody() {
        let response = APIError(.notFound).response(allocator: ByteBufferAllocator())
        #expect(response.status == .notFound)
        #expect(response.headers[.contentType] == "application/json; charset=utf-8")
    }

    @Test func mapsHummingbirdErrorsToPlinyIDs() {
        #expect(APIError(HTTPError(.notFound)).id == "not_found")
        #expect(APIError(HTTPError(.contentTooLarge)).id == "request_entity_too_large")
        #expect(APIError(HTTPError(.badRequest)).id == "bad_request")
        #expect(APIError(HTTPError(.badGateway)).id == "internal_server_error")
    }
}
