import ArgumentParser

/// `APP routes`: prints the route table.
public struct RoutesCommand<Definition: AppDefinition>: AsyncParsableCommand {
    /// The command's name and help.
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "routes", abstract: "Print every route the server answers.")
    }

    /// Creates the command.
    public init() {}

    /// Prints `METHOD /path` per route.
    public func run() async throws {
        for route in Definition.routeTable() { print(route) }
    }
}
