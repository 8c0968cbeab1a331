import Hummingbird

extension Router {
    /// `METHOD  /path` for every route, as an app's `routes` command prints them.
    public var routeTable: [String] {
        routes.map { "\($0.method.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \($0.path)" }
    }
}
