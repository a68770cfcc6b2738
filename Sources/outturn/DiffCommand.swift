import Ledger
import LedgerModel
import Projections

/// `outturn diff`: what changed in the views between two points in time.
struct DiffCommand: Command {
    static let name = "diff"
    static let summary = "What changed in status, progress and actions between two dates or boards."
    static let usage = "outturn diff --from DATE|BOARD[@DATE] --to DATE|BOARD[@DATE] [--ledger PATH] [--recorded] [--format table|json|csv]"
    static let discussion = """
        Replays the ledger at both points and lists every field of status, progress and
        actions that differs: one row per change, old → new. A point is a date (YYYY-MM-DD,
        by what was known then; with --recorded, by what the ledger had recorded) or a
        board's name (its seal). Exit 0 either way; no rows means nothing changed.
        """
    static let options: [OptionSpec] = [
        .ledger, OutputFormat.option,
        OptionSpec(name: "--from", valueName: "POINT", help: "The earlier point: a date or a board (required)."),
        OptionSpec(name: "--to", valueName: "POINT", help: "The later point: a date or a board (default: now)."),
        OptionSpec(name: "--recorded", valueName: nil, help: "Read dates by what the ledger had recorded, not what was known."),
    ]
    static let examples = ["outturn diff --ledger Examples/lewisham-2015-16.jsonl --from 2015-03-31 --to 2015-04-01 --format csv"]

    let ledgerPath: String
    let format: OutputFormat
    let from: ViewOptions.PointSpec
    let to: ViewOptions.PointSpec

    init(_ arguments: ParsedArguments, environment: [String: String]) throws(CLIError) {
        ledgerPath = try Self.ledgerPath(arguments, environment)
        format = try OutputFormat.parse(arguments)
        guard let fromText = arguments.value("--from") else { throw CLIError.usage("--from is required") }
        let recorded = arguments.flag("--recorded")
        func spec(_ text: String) -> ViewOptions.PointSpec {
            if case .asOf(let day, _) = ViewOptions.PointSpec.parse(text) { return .asOf(day, recorded: recorded) }
            return ViewOptions.PointSpec.parse(text)
        }
        from = spec(fromText)
        to = arguments.value("--to").map(spec) ?? .now
    }

    func run(_ output: inout Output) throws(CLIError) -> ExitCode {
        let ledger = try ProcessLifetime.openLedger(ledgerPath)
        let a = try ViewOptions.resolve(from, in: ledger, partnership: nil)
        let b = try ViewOptions.resolve(to, in: ledger, partnership: nil)
        let left: Ledger.ReplayResult, right: Ledger.ReplayResult
        do { (left, right) = (try ledger.replay(a, auditing: false), try ledger.replay(b, auditing: false)) } catch { throw CLIError(error, what: ledgerPath) }
        let rows = Diff.rows(from: left.replay.state, to: right.replay.state,
                             todayA: ViewOptions.viewDate(a), todayB: ViewOptions.viewDate(b))
        var table = Table([("view", "View"), ("key", "Key"), ("field", "Field"), ("from", "From"), ("to", "To")])
        for r in rows { table.append([.text(r.view), .text(r.key), .text(r.field), .text(r.from), .text(r.to)]) }
        if format == .table { output.print("From \(a)\n  to \(b): \(rows.count) changes.\n") }
        output.write(table.render(format))
        return .ok
    }
}
