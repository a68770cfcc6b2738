import EventLog
import Ledger
import LedgerModel
import Projections

/// `outturn replay`: status, progress and actions together, as known at a point in time.
struct ReplayCommand: Command {
    static let name = "replay"
    static let summary = "Status, progress and actions together, as known at a date or a board."
    static let usage = "outturn replay (--as-of DATE [--recorded] | --board NAME[@DATE]) [--ledger PATH] [--partnership P] [--format table|json|csv]"
    static let discussion = """
        What an auditor asks: what did the partnership know on DATE, or what did the board
        see? --board shows exactly what the ledger held at the board's seal (the head just
        before the board was recorded), however the figures were revised, backdated or
        retracted afterwards. --as-of counts the events known by DATE, as the ledger holds
        them now; add --recorded to count what the ledger itself had recorded by then.

        CSV prints the three views one after another, each with its own header, separated by
        a blank line.
        """
    static let options = ViewOptions.specs + [ViewOptions.partnership]
    static let examples = [
        "outturn replay --ledger Examples/lewisham-2015-16.jsonl --as-of 2015-04-01",
        "outturn replay --ledger Examples/lewisham-2015-16.jsonl --as-of 2015-04-01 --format json",
    ]

    let view: ViewOptions
    let partnership: String?

    init(_ arguments: ParsedArguments, environment: [String: String]) throws(CLIError) {
        view = try ViewOptions(arguments, environment: environment)
        if case .now = view.point { throw CLIError.usage("replay needs --as-of DATE or --board NAME") }
        partnership = arguments.value("--partnership")
    }

    func run(_ output: inout Output) throws(CLIError) -> ExitCode {
        let result = try view.replay(partnership: partnership)
        let state = result.replay.state
        // The views only read the state: status and actions worked out and rendered on another
        // core while progress is here (on a London-wide ledger, a fifth of a full replay on one core).
        let format = view.format
        let today = ViewOptions.viewDate(result.replay.pointInTime)
        let others = BackgroundTask { [partnership] in
            (Rendered(StatusCommand.table(state.statusRows(partnership: partnership)), format),
             Rendered(ActionsCommand.table(state.actionRows(today: today, partnership: partnership)), format))
        }
        let progress = Rendered(ProgressCommand.table(state.progressRows(partnership: partnership), format: format), format)
        let (status, actions) = others.value
        switch (status, progress, actions) {
        case (.json(let status), .json(let progress), .json(let actions)):
            var object = JSONObject()
            object["pointInTime"] = .string(result.replay.pointInTime.description)
            if case .sealed(let seq, let board, let date) = result.replay.pointInTime {
                let sealHash = state.boards.last { $0.sealSeq == seq }?.sealHash
                object["board"] = .object(JSONObject([("name", .string(board)), ("date", .string(date.description)),
                                                      ("sealSeq", .number(JSONNumber(seq))), ("sealHash", sealHash.map(JSONValue.string) ?? .null)]))
            }
            object["events"] = .number(JSONNumber(result.replay.state.appliedCount))
            object["status"] = status
            object["progress"] = progress
            object["actions"] = actions
            output.print(JSONWriter.string(.object(object)))
        case (.text(let status), .text(let progress), .text(let actions)) where format == .csv:
            output.write(status + "\r\n" + progress + "\r\n" + actions)
        case (.text(let status), .text(let progress), .text(let actions)):
            output.print((ViewOptions.heading(result) ?? "") + "\n")
            output.write("STATUS\n" + status + "\nPROGRESS\n" + progress + "\nACTIONS\n" + actions)
        default:
            preconditionFailure("every view is rendered in the one format")
        }
        return .ok
    }
}

/// A view's table in the chosen format, rendered on the core that worked it out.
private enum Rendered: Sendable {
    case json(JSONValue)
    case text(String)

    init(_ table: Table, _ format: OutputFormat) {
        switch format {
        case .json: self = .json(Table.jsonArray(table))
        case .csv: self = .text(table.renderCSV())
        case .table: self = .text(table.renderTable())
        }
    }
}
