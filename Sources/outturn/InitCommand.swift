import Ledger

/// `outturn init`: creates an empty ledger, never over an existing one.
struct InitCommand: Command {
    static let name = "init"
    static let summary = "Create a new, empty ledger file."
    static let usage = "outturn init [--ledger PATH]"
    static let discussion = """
        Creates an empty ledger (a JSON Lines log with no events yet). Refuses to touch
        anything already at PATH (exit 73): a ledger is never overwritten.
        """
    static let options: [OptionSpec] = [.ledger]
    static let examples = ["outturn init --ledger /tmp/lewisham.jsonl"]

    let ledgerPath: String

    init(_ arguments: ParsedArguments, environment: [String: String]) throws(CLIError) {
        ledgerPath = try Self.ledgerPath(arguments, environment)
    }

    func run(_ output: inout Output) throws(CLIError) -> ExitCode {
        do { try Ledger.create(path: ledgerPath) } catch { throw CLIError(error, what: ledgerPath) }
        output.print("created \(ledgerPath)")
        return .ok
    }
}
