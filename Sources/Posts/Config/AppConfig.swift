import PlinthApp
import PlinthCore

/// The settings of the posts service: the toolkit's ``ServiceConfig`` for the app "posts" (its
/// embedded default is `./data/posts.sqlite`).
public typealias AppConfig = ServiceConfig

extension ServiceConfig {
    /// The posts service's defaults.
    public init() { self.init(app: "posts") }

    /// The posts service's settings from `env`; throws ``ConfigError`` naming the first bad key.
    public init(env: Env) throws { try self.init(env: env, app: "posts") }
}
