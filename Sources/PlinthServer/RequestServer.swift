import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import Plinth
import PlinthCore

/// What every request of a server shares.
struct RequestServer<Responder: HTTPResponder>: Sendable
where Responder.Context: RequestContext, Responder.Context.Source == ApplicationRequestContextSource {
    let responder: Responder
    let admission: ConcurrencyLimiter?
    let logger: Logger
}
