import Ledger
import LedgerModel
import Projections

/// `outturn actions`: the action tracker.
struct ActionsCommand: Command {
    static let name = "actions"
    static let summary = "The action tracker: status, due date, overdue, latest progress."
    static let usage = "outturn actions [--ledger PATH] [--partnership P] [--overdue] [--as-of DATE [--recorded] | --board NAME[@DATE]] [--format table|json|csv]"
    static let discussion = """
        One row per action: its latest status ("not-started" until the first update), when it
        is due, whether it is overdue — due before the view's date (today, the --as-of date,
        or the board's date) and neither complete nor cancelled — and the latest progress text.
        """
    static let options = ViewOptions.specs + [
        ViewOptions.partnership,
        OptionSpec(name: "--overdue", valueName: nil, help: "Only overdue actions."),
    ]
    static let examples = ["outturn actions --ledger Examples/lewisham-2015-16.jsonl --overdue"]

    let view: ViewOptions
    let partnership: String?
    let overdueOnly: Bool

    init(_ arguments: ParsedArguments, environment: [String: String]) throws(CLIError) {
        view = try ViewOptions(arguments, environment: environment)
        partnership = arguments.value("--partnership")
        overdueOnly = arguments.flag("--overdue")
    }

    func run(_ output: inout Output) throws(CLIError) -> ExitCode {
        let result = try view.replay(partnership: partnership)
        let today = ViewOptions.viewDate(result.replay.pointInTime)
        let rows = result.replay.state.actionRows(today: today, partnership: partnership, overdueOnly: overdueOnly)
        view.print(ActionsCommand.table(rows), result, to: &output)
        return .ok
    }

    static func table(_ rows: [ActionRow]) -> Table {
        var table = Table([("action", "Action"), ("partnership", "Partnership"), ("title", "Title"), ("leads", "Leads"),
                           ("status", "Status"), ("due", "Due"), ("overdue", "Overdue"), ("lastUpdate", "Last update"),
                           ("lastUpdateKnown", "Updated")])
        for r in rows {
            table.append([.text(r.action), .text(r.partnership), .text(r.title), .list(r.leads), .text(r.status.rawValue),
                          .text(r.due?.description ?? r.timescale), .bool(r.overdue), r.lastUpdate.map(Cell.text) ?? .empty("no update recorded"),
                          .text(r.lastUpdateKnown?.description)])
        }
        return table
    }
}
