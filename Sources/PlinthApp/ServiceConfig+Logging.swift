import Logging
import Plinth
import PlinthCore

extension ServiceConfig {
    /// A logger named after the app, writing logfmt lines to standard output at `LOG_LEVEL`.
    public func makeLogger() -> Logger {
        Logger(label: appName) { [logLevel] label in LogfmtLogHandler(label: label, level: logLevel) }
    }

    /// The token writes need: `API_TOKEN`, or a random one announced once in the log so a newcomer
    /// can try writes.
    public func writeToken(logger: Logger) -> BearerToken {
        if let apiToken { return BearerToken(apiToken) }
        var generator = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef")
        let token = String((0..<64).map { _ in hex[Int.random(in: 0..<16, using: &generator)] })
        logger.notice("API_TOKEN is not set; writes need this generated token", metadata: ["api_token": .string(token)])
        return BearerToken(token)
    }
}
