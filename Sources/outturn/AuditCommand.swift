import Ledger
import LedgerModel
import Projections

/// `outturn audit`: every event touching a subject, with old → new and both times.
struct AuditCommand: Command {
    static let name = "audit"
    static let summary = "The audit trail: every change to an indicator, target, action or plan, old → new."
    static let usage = "outturn audit [--ledger PATH] [--indicator I | --target T | --action A | --plan P] [--since DATE] [--as-of DATE [--recorded] | --board NAME[@DATE]] [--format table|json|csv]"
    static let discussion = """
        One row per event, in seq order, with when the ledger recorded it and when the
        partnership knew it, its source and actor, what it touched, and the value before and
        after. Revisions show old → new; a retraction shows what it took back; entries known
        before the day they were recorded are flagged "backdated". --since keeps entries
        recorded on or after DATE.
        """
    static let options = ViewOptions.specs + [
        ViewOptions.indicator,
        OptionSpec(name: "--target", valueName: "T", help: "Only this target."),
        OptionSpec(name: "--action", valueName: "A", help: "Only this action."),
        OptionSpec(name: "--plan", valueName: "P", help: "Only this plan (its priorities and actions too)."),
        OptionSpec(name: "--since", valueName: "DATE", help: "Only entries recorded on or after DATE."),
    ]
    static let examples = ["outturn audit --ledger Examples/lewisham-2015-16.jsonl --indicator marac-repeat-rate"]

    let view: ViewOptions
    let tag: String?
    let since: Day?

    init(_ arguments: ParsedArguments, environment: [String: String]) throws(CLIError) {
        view = try ViewOptions(arguments, environment: environment)
        let subjects = ["--indicator": "indicator", "--target": "target", "--action": "action", "--plan": "plan"]
            .compactMap { option, tag in arguments.value(option).map { "\(tag):\($0)" } }
        guard subjects.count <= 1 else { throw CLIError.usage("give one of --indicator, --target, --action, --plan") }
        tag = subjects.first
        if let text = arguments.value("--since") {
            guard let day = Day(iso: text) else { throw CLIError.usage("--since '\(text)' is not a date (YYYY-MM-DD)") }
            since = day
        } else {
            since = nil
        }
    }

    func run(_ output: inout Output) throws(CLIError) -> ExitCode {
        let result = try view.replay(auditing: true)
        let entries = result.replay.audit.entries(tagged: tag, since: since)
        var table = Table([("seq", "Seq"), ("recorded", "Recorded"), ("known", "Known"), ("type", "Type"), ("source", "Source"),
                           ("actor", "Actor"), ("subject", "Subject"), ("before", "Before"), ("after", "After"),
                           ("backdated", "Backdated"), ("retractedBy", "Retracted by")])
        for e in entries {
            table.append([.number(Double(e.seq)), .text(e.recorded), .text(e.known.description), .text(e.type), .text(e.source),
                          .text(e.actor), .text(e.subject), .text(e.before), .text(e.after), .bool(e.backdated),
                          .number(e.retractedBy.map(Double.init))])
        }
        view.print(table, result, to: &output)
        return .ok
    }
}
