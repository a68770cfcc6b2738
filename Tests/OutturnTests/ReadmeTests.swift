import Foundation
import Testing

/// The README's example output is real: every ```console block that starts with
/// `$ outturn …` is that command's output, byte for byte (regenerate with
/// `python3 docs/regenerate-readme.py`).
struct ReadmeTests {
    struct Example: CustomStringConvertible {
        var command: String
        var output: String
        var description: String { command }
    }

    static func examples() throws -> [Example] {
        let readme = try String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var examples: [Example] = []
        for block in readme.components(separatedBy: "```console\n").dropFirst() {
            guard let body = block.components(separatedBy: "```").first, body.hasPrefix("$ outturn ") else { continue }
            var lines = body.components(separatedBy: "\n")
            let command = String(lines.removeFirst().dropFirst(2))
            examples.append(Example(command: command, output: lines.joined(separator: "\n")))
        }
        return examples
    }

    @Test func theReadmeShowsRealOutput() throws {
        let examples = try Self.examples()
        #expect(examples.count >= 6)
        for example in examples {
            let arguments = example.command.split(separator: " ").dropFirst().map(String.init)
            let r = try CLI.run(arguments, in: CLI.packageRoot)
            // CSV ends its lines in \r\n; the README, like any Markdown file, in \n.
            #expect((r.stdout + r.stderr).replacingOccurrences(of: "\r\n", with: "\n") == example.output,
                    "README block for `\(example.command)` differs from the program; run python3 docs/regenerate-readme.py")
        }
    }

    @Test func theReadmesSetUpCommandsAreTheOnesCIRuns() throws {
        let readme = try String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let ci = try String(contentsOf: CLI.packageRoot.appendingPathComponent(".ci/run"), encoding: .utf8)
        let setUp = try #require(readme.components(separatedBy: "## Set up: two commands").last?.components(separatedBy: "```sh\n").dropFirst().first?
            .components(separatedBy: "```").first)
        let commands = setUp.split(separator: "\n").map { $0.components(separatedBy: "#").first!.trimmingCharacters(in: .whitespaces) }
        #expect(commands.count == 2)
        for command in commands { #expect(ci.contains(command), "\(command) is not in .ci/run") }
    }
}
