import ArgumentParser
import PlinthApp
import Posts

/// `posts docs`: prints the API reference as Markdown (`docs/API.md` is its output).
struct DocsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docs", abstract: "Print the API reference, from schema.json, as Markdown (what docs/API.md holds).")

    func run() async throws {
        FileHandleWriter.write(apiReference.markdown(), to: 1)
    }
}
