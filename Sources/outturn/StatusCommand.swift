import EventLog
import Ledger
import LedgerModel
import Projections

/// `outturn status`: one row per partnership and indicator, with RAG.
struct StatusCommand: Command {
    static let name = "status"
    static let summary = "Latest outturn, target, RAG and direction of travel for each indicator."
    static let usage = "outturn status [--ledger PATH] [--partnership P] [--indicator I] [--as-of DATE [--recorded] | --board NAME[@DATE]] [--format table|json|csv]"
    static let discussion = """
        One row per partnership and indicator: the latest outturn (recorded for its period,
        or built from components or months — the "figure" column says which), the target in
        force for that period, RAG as a word (green, amber, red, or "no data" when there is
        no outturn yet), the direction of travel against the previous comparable period,
        and the change against the baseline in percent.
        """
    static let options = ViewOptions.specs + [ViewOptions.partnership, ViewOptions.indicator]
    static let examples = [
        "outturn status --ledger Examples/lewisham-2015-16.jsonl",
        "outturn status --ledger Examples/lewisham-2015-16.jsonl --indicator MOPAC7 --format json",
    ]

    let view: ViewOptions
    let partnership: String?
    let indicator: String?

    init(_ arguments: ParsedArguments, environment: [String: String]) throws(CLIError) {
        view = try ViewOptions(arguments, environment: environment)
        partnership = arguments.value("--partnership")
        indicator = arguments.value("--indicator")
    }

    func run(_ output: inout Output) throws(CLIError) -> ExitCode {
        let result = try view.replay(partnership: partnership, indicator: indicator, readsUpdates: false)
        let rows = result.replay.state.statusRows(partnership: partnership, indicator: indicator)
        view.print(StatusCommand.table(rows), result, to: &output)
        return .ok
    }

    static func table(_ rows: [StatusRow]) -> Table {
        var table = Table([("partnership", "Partnership"), ("indicator", "Indicator"), ("period", "Period"), ("value", "Value"),
                           ("change", "Change"), ("target", "Target"), ("rag", "RAG"), ("ragNote", "Note"),
                           ("direction", "Direction"), ("baselineChangePercent", "vs baseline"), ("figure", "Figure"),
                           ("comparators", "Comparators")])
        for r in rows {
            table.append([.text(r.partnership), .text(r.indicator), r.period.map { .text($0.description) } ?? .empty("no outturn recorded"), .number(r.value),
                          .percent(r.change.map(roundedPercent)), r.target.map(Cell.text) ?? .empty("target not yet set"),
                          .text(r.rag.rawValue), .text(r.ragNote), .text(r.direction?.rawValue),
                          .percent(r.baselineChangePercent), .text(r.figureSource),
                          .json(.array(r.comparators.map { c in
                              .object(JSONObjectBuilder().add("area", .text(c.area)).add("value", .number(c.value))
                                  .add("changePercent", .percent(c.change.map(roundedPercent))).object)
                          }))])
        }
        return table
    }
}
