import EventLog
import Ledger

/// `outturn verify`: walks the hash chain and names the first broken seq.
struct VerifyCommand: Command {
    static let name = "verify"
    static let summary = "Check a ledger's hash chain from the first event to the last."
    static let usage = "outturn verify [--ledger PATH] [--format text|json]"
    static let discussion = """
        Checks every line: well-formed, seqs 1, 2, 3 … without gaps, each hash the SHA-256
        of the line's own bytes, each prev the hash of the line before, recorded times never
        going backwards, known never after recorded, ids unique. Any edit, insertion,
        deletion or reordering breaks the chain from that line on.

        Exit 0 and "ok: N events, head <hash>" when the chain is whole; exit 1 naming the
        first broken seq and what is wrong when it is not.
        """
    static let options: [OptionSpec] = [
        .ledger,
        OptionSpec(name: "--format", valueName: "FORMAT", help: "text (default) or json."),
    ]
    static let examples = ["outturn verify --ledger /tmp/lewisham.jsonl"]

    let ledgerPath: String
    let json: Bool

    init(_ arguments: ParsedArguments, environment: [String: String]) throws(CLIError) {
        ledgerPath = try Self.ledgerPath(arguments, environment)
        switch arguments.value("--format") ?? "text" {
        case "text": json = false
        case "json": json = true
        case let other: throw CLIError.usage("--format '\(other)' is not one of text, json")
        }
    }

    func run(_ output: inout Output) throws(CLIError) -> ExitCode {
        let report: Log.VerifyReport
        do { report = try Ledger(path: ledgerPath).verify() } catch { throw CLIError(error, what: ledgerPath) }
        if json {
            var object = JSONObject()
            object["ok"] = .bool(report.problem == nil)
            object["events"] = .number(JSONNumber(report.events))
            object["head"] = .string(report.head.hex)
            object["bytes"] = .number(JSONNumber(report.bytes))
            object["tornBytes"] = .number(JSONNumber(report.tornBytes))
            object["unfinishedBytes"] = .number(JSONNumber(report.unfinishedBytes))
            if let problem = report.problem {
                object["problem"] = .object(JSONObject([
                    ("seq", .number(JSONNumber(problem.seq))), ("kind", .string(problem.kind.rawValue)),
                    ("detail", .string(problem.detail)),
                ]))
            }
            output.print(JSONWriter.string(.object(object)))
        }
        if let problem = report.problem {
            output.note("verify: \(ledgerPath): \(problem)")
            return .failure
        }
        if !json { output.print("ok: \(report.events) events, head \(report.head.hex)") }
        if report.tornBytes > 0 {
            output.note("\(ledgerPath): note: a torn last line of \(report.tornBytes) bytes is ignored (never acknowledged; the next append moves it to \(ledgerPath).torn)")
        }
        if report.unfinishedBytes > 0 {
            output.note("\(ledgerPath): note: \(report.unfinishedBytes) bytes of an interrupted append are ignored (the next append rolls them back)")
        }
        return .ok
    }
}
