import Ledger
import LedgerModel
import Projections

/// `outturn progress`: every target with its baseline, outturn, glide path and RAG.
struct ProgressCommand: Command {
    static let name = "progress"
    static let summary = "Progress against every target: baseline, outturn, glide path, RAG."
    static let usage = "outturn progress [--ledger PATH] [--set-by MOPAC|local|national] [--partnership P] [--indicator I] [--as-of DATE [--recorded] | --board NAME[@DATE]] [--format table|json|csv]"
    static let discussion = """
        One row per target in force, MOPAC's first: the baseline, the latest outturn shaped
        like the baseline (a year against a year), the change achieved, the change the target
        asks for, the value expected by then on the straight glide path from the baseline to
        the target period, and RAG. A composite target (MOPAC 7 is the sum of seven crimes)
        lists each component beneath it with its share of the change.
        """
    static let options = ViewOptions.specs + [
        OptionSpec(name: "--set-by", valueName: "WHO", help: "Only targets set by MOPAC, local or national."),
        ViewOptions.partnership, ViewOptions.indicator,
    ]
    static let examples = ["outturn progress --ledger Examples/lewisham-2015-16.jsonl --set-by MOPAC"]

    let view: ViewOptions
    let setBy: TargetSetter?
    let partnership: String?
    let indicator: String?

    init(_ arguments: ParsedArguments, environment: [String: String]) throws(CLIError) {
        view = try ViewOptions(arguments, environment: environment)
        if let text = arguments.value("--set-by") {
            guard let who = TargetSetter(rawValue: text) ?? TargetSetter.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
                throw CLIError.usage("--set-by '\(text)' is not one of MOPAC, local, national")
            }
            setBy = who
        } else {
            setBy = nil
        }
        partnership = arguments.value("--partnership")
        indicator = arguments.value("--indicator")
    }

    func run(_ output: inout Output) throws(CLIError) -> ExitCode {
        let result = try view.replay(partnership: partnership, readsUpdates: false)
        let rows = result.replay.state.progressRows(setBy: setBy, partnership: partnership, indicator: indicator)
        view.print(ProgressCommand.table(rows, format: view.format), result, to: &output)
        return .ok
    }

    /// The rows; components nested as a JSON list, or as rows beneath their target (indented in a
    /// table; in CSV with the target's id and kind "component").
    static func table(_ rows: [ProgressRow], format: OutputFormat) -> Table {
        let nested = format == .json
        var columns: [(key: String, title: String)] = [
            ("target", "Target"), ("partnership", "Partnership"), ("indicator", "Indicator"), ("kind", "Kind"), ("setBy", "Set by"),
            ("period", "By"), ("baseline", "Baseline"), ("outturnPeriod", "Outturn for"), ("value", "Outturn"),
            ("changePercent", "Change"), ("targetChangePercent", "Target change"), ("expected", "Expected"), ("rag", "RAG"),
            ("ragNote", "Note"),
        ]
        if nested { columns.append(("components", "Components")) } else { columns.append(("shareOfChangePercent", "Share of change")) }
        var table = Table(columns)
        for r in rows {
            var cells: [Cell] = [
                .text(r.target + (r.stretch ? " (stretch)" : "")), .text(r.partnership), .text(r.indicator), .text(r.kind), .text(r.setBy),
                .text(r.period.description), .number(r.baseline), .text(r.outturnPeriod?.description), .number(r.value),
                .percent(r.changePercent), .percent(r.targetChangePercent), .number(r.expected.map { ($0 * 10).rounded() / 10 }),
                .text(r.rag.rawValue), r.ragNote.map(Cell.text) ?? (r.outturnPeriod == nil ? .empty("no outturn recorded") : .text(nil)),
            ]
            if nested {
                cells.append(.json(.array(r.components.map { c in
                    .object(JSONObjectBuilder()
                        .add("indicator", .text(c.indicator)).add("baseline", .number(c.baseline)).add("value", .number(c.value))
                        .add("change", .number(c.change)).add("changePercent", .percent(c.changePercent))
                        .add("shareOfChangePercent", .percent(c.shareOfChangePercent)).object)
                })))
                table.append(cells)
            } else {
                cells.append(.text(nil))
                table.append(cells)
                for c in r.components {
                    table.append([.text(format == .table ? "  └ " + c.indicator : r.target), .text(r.partnership), .text(c.indicator), .text("component"), .text(nil),
                                  .text(nil), .number(c.baseline), .text(r.outturnPeriod?.description), .number(c.value),
                                  .percent(c.changePercent), .text(nil), .text(nil), .text(nil), .text(nil), .percent(c.shareOfChangePercent)])
                }
            }
        }
        return table
    }
}
