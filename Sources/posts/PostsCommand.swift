import ArgumentParser
import PlinthApp
import Posts

/// `posts`: the posts API service and its maintenance commands.
@main
struct PostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "posts",
        abstract: "The posts JSON API (Plinth). Configured by environment variables; see .env.sample.",
        subcommands: [
            ServeCommand<PostsApp>.self, MigrateCommand<PostsApp>.self, SeedCommand.self, RoutesCommand<PostsApp>.self, DocsCommand.self,
        ],
        defaultSubcommand: ServeCommand<PostsApp>.self
    )
}
