import ArgumentParser
import Posts

/// `posts routes`: prints the route table.
struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "routes", abstract: "Print every route the server answers.")

    func run() async throws {
        for route in routeTable() { print(route) }
    }
}
