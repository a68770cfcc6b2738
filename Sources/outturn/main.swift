#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every subcommand, in the order `outturn help` lists them.
let commands: [any Command.Type] = [
    InitCommand.self, AppendCommand.self, VerifyCommand.self, StatusCommand.self, ProgressCommand.self, ActionsCommand.self,
    AuditCommand.self, CompareCommand.self, ReplayCommand.self, DiffCommand.self, ImportCommand.self, ReportCommand.self, GenerateCommand.self,
]

/// The overview `outturn help` prints (made when asked: top-level values of this file are made
/// at every start, and joining the commands' lines cost a view a tenth of a millisecond).
var overview: String { """
    OVERVIEW: outturn — an event-sourced performance ledger for community safety partnerships.

    Every target change, outturn and action update is an append-only, hash-chained event
    in a ledger file (JSON Lines). See README.md for the file format.

    USAGE: outturn <command> [--ledger PATH] [options]

    COMMANDS:
    \(commands.map { "  " + $0.name.padded(to: 10) + $0.summary }.joined(separator: "\n"))
      help      Show this overview, or a command's help: outturn help <command>.

    The ledger defaults to $OUTTURN_LEDGER. Exit codes: 0 ok; 1 verify found a broken chain;
    64 usage; 65 bad input data; 66 missing input or ledger; 73 cannot create; 74 I/O error;
    75 ledger locked past --wait.

    Views start from a checkpoint beside the ledger (<ledger>.ckpt, a cache) and write a new
    one once 10,000 events follow it; OUTTURN_CHECKPOINT_EVERY=N changes that, 0 turns it off.

    See 'outturn <command> --help' for a command's options and examples.

    """
}

/// Runs the command line and returns the process's exit code.
@MainActor
func main(_ arguments: [String]) -> Int32 {
    var output = Output()
    defer { output.flush() }
    guard let name = arguments.first else {
        output.print(overview)
        return ExitCode.ok.rawValue
    }
    if name == "help" || name == "--help" || name == "-h" {
        if arguments.count > 1, let command = commands.first(where: { $0.name == arguments[1] }) {
            output.print(command.helpText)
        } else if arguments.count > 1 {
            output.note("unknown command '\(arguments[1])'\nSee 'outturn help'.")
            return ExitCode.usage.rawValue
        } else {
            output.print(overview)
        }
        return ExitCode.ok.rawValue
    }
    guard let command = commands.first(where: { $0.name == name }) else {
        output.note("unknown command '\(name)'\nSee 'outturn help'.")
        return ExitCode.usage.rawValue
    }
    do {
        let parsed = try ArgumentParsing.parse(Array(arguments.dropFirst()), options: command.options + [.help], maxPositionals: command.maxPositionals)
        if parsed.flag("--help") {
            output.print(command.helpText)
            return ExitCode.ok.rawValue
        }
        return try command.init(parsed, environment: processEnvironment()).run(&output).rawValue
    } catch {
        output.flush()
        if error.isUsage {
            output.note("\(error.message)\nUsage: \(command.usage)\nSee 'outturn \(name) --help'.")
        } else {
            output.note(error.message)
        }
        return error.code.rawValue
    }
}

exit(main(Array(CommandLine.arguments.dropFirst())))
