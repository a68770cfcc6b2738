import Ledger
import LedgerModel
import Projections

/// `outturn compare`: a baseline period against outturns, period by period (the seeds' table shape).
struct CompareCommand: Command {
    static let name = "compare"
    static let summary = "Baseline against outturns, period by period: value, change, % change."
    static let usage = "outturn compare --indicator I --baseline PERIOD [--period P …] [--partnership P] [--ledger PATH] [--as-of DATE [--recorded] | --board NAME[@DATE]] [--format table|json|csv]"
    static let discussion = """
        For a composite indicator (MOPAC 7) each component comes first, then the total — the
        shape of the plans' own tables. Without --period, every later period shaped like the
        baseline that has a figure. Counts recorded by month roll up to quarters, years and
        spans. % change is rounded to one decimal, as the plans print it.
        """
    static let options = ViewOptions.specs + [
        OptionSpec(name: "--indicator", valueName: "I", help: "The indicator (required), e.g. MOPAC7."),
        OptionSpec(name: "--baseline", valueName: "PERIOD", help: "The baseline period (required), e.g. 2013 or 2011/12."),
        OptionSpec(name: "--period", valueName: "P", help: "A period to compare (repeatable).", repeatable: true),
        ViewOptions.partnership,
    ]
    static let examples = ["outturn compare --ledger Examples/lewisham-2015-16.jsonl --indicator MOPAC7 --baseline 2013 --period 2014"]

    let view: ViewOptions
    let indicator: String
    let baseline: Period
    let periods: [Period]
    let partnership: String?

    init(_ arguments: ParsedArguments, environment: [String: String]) throws(CLIError) {
        view = try ViewOptions(arguments, environment: environment)
        guard let indicator = arguments.value("--indicator") else { throw CLIError.usage("--indicator is required") }
        guard let text = arguments.value("--baseline") else { throw CLIError.usage("--baseline is required") }
        guard let baseline = Period(text) else { throw CLIError.usage("--baseline '\(text)' is not a period (2015/16, 2015/16 Q1, 2014-12, 2014, 2021-09..2022-08)") }
        var periods: [Period] = []
        for text in arguments.all("--period") {
            guard let p = Period(text) else { throw CLIError.usage("--period '\(text)' is not a period") }
            periods.append(p)
        }
        (self.indicator, self.baseline, self.periods) = (indicator, baseline, periods)
        partnership = arguments.value("--partnership")
    }

    func run(_ output: inout Output) throws(CLIError) -> ExitCode {
        // Of one partnership, only the figures the rows read are kept (of every partnership, the
        // areas with any figure are needed to say which to choose).
        let result = try view.replay(partnership: partnership, indicator: partnership == nil ? nil : indicator, readsUpdates: false)
        let state = result.replay.state
        guard state.indicator(indicator) != nil else {
            throw CLIError(code: .failure, message: "\(view.ledgerPath): indicator \"\(indicator)\" is not defined")
        }
        let areas = state.outturnAreas.keys.filter { state.partnership($0) != nil }.sorted()
        guard let area = partnership ?? (areas.count == 1 ? areas[0] : nil) else {
            throw CLIError.usage("the ledger holds several partnerships (\(areas.joined(separator: ", "))): choose one with --partnership")
        }
        let rows = state.compareRows(area: area, indicator: indicator, baseline: baseline, periods: periods)
        var table = Table([("indicator", "Indicator"), ("name", "Name"), ("baselinePeriod", "Baseline period"), ("baseline", "Baseline"),
                           ("period", "Period"), ("value", "Value"), ("change", "Change"), ("changePercent", "% change")])
        for r in rows {
            table.append([.text(r.indicator), .text(r.indicatorName), .text(r.baselinePeriod.description), .number(r.baseline),
                          .text(r.period.description), .number(r.value), .number(r.change), .percent(r.changePercent)])
        }
        view.print(table, result, to: &output)
        return rows.isEmpty ? .failure : .ok
    }
}
