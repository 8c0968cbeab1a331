import Hummingbird
import Plinth
import PlinthCore
import PlinthServer

/// A request context with everything Plinth's middleware need, for testing them on their own router.
struct TestContext: PlinthRequestContext, VersionedRequestContext {
    var coreContext: CoreRequestContextStorage
    var requestIDs: [String] = []
    var requestLog = RequestLog()
    var apiVersion = 0
    var remoteIP: String? { nil }

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
