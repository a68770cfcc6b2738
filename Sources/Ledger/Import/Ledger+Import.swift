import EventLog
import LedgerModel
import Projections

extension Ledger {
    /// What an import did, or would do.
    public struct ImportSummary: Sendable, Equatable {
        /// Figures for an area, indicator and period the ledger did not have.
        public var new = 0
        /// Figures that differ from the ledger's current one: appended as revisions (old → new in `audit`).
        public var revised = 0
        /// Figures the ledger already holds with the same value and status: nothing appended.
        public var unchanged = 0
        /// Indicators the feed defined on first sight.
        public var indicatorsDefined = 0
        /// Events appended (0 for a dry run).
        public var appended = 0
    }

    /// Imports a feed as one batch: every cell whose figure is new or changed, nothing for
    /// unchanged cells — so the same file again appends nothing, and a later edition appends
    /// exactly its restatements. The comparison is made under the append's lock, against the
    /// ledger as it is then. `known` applies to cells that do not carry their own.
    public func importFeed(_ feed: Feed, source: String, actor: String, known: CalendarDate?, dryRun: Bool = false,
                           lockTimeout: Double? = 30) throws(LedgerError) -> ImportSummary {
        if dryRun {
            // Everything but the write: the same plan, validated the same way.
            let state = try replay().replay.state
            let plan = Ledger.plan(feed, against: state, source: source, actor: actor, known: known)
            try Ledger.validate(plan.drafts, from: state, lines: plan.lines)
            return plan.summary
        }
        var summary = ImportSummary()
        var lines: [Int] = []
        let result = try appendValidated(lockTimeout: lockTimeout) { state in
            let plan = Ledger.plan(feed, against: state, source: source, actor: actor, known: known)
            summary = plan.summary
            lines = plan.lines
            return plan.drafts
        } lineNumbers: { lines }
        summary.appended = result.outcomes.filter { !$0.existing }.count
        return summary
    }

    /// The events that bring the ledger up to the feed: definitions first, then each new or changed figure.
    static func plan(_ feed: Feed, against state: LedgerState, source: String, actor: String, known: CalendarDate?)
        -> (drafts: [EventDraft], lines: [Int], summary: ImportSummary) {
        var summary = ImportSummary()
        var drafts: [EventDraft] = []
        var lines: [Int] = []
        for definition in feed.definitions where state.indicator(definition.indicator) == nil {
            drafts.append(EventDraft(id: "\(source)/indicator/\(definition.indicator)", known: known, type: "indicator.defined",
                                     source: source, actor: actor, data: JSONObject([
                                         ("indicator", .string(definition.indicator)), ("name", .string(definition.name)),
                                         ("unit", .string("count")), ("polarity", .string("lower-better")),
                                     ])))
            lines.append(definition.line)
            summary.indicatorsDefined += 1
        }
        for cell in feed.cells {
            let key = OutturnKey(area: cell.area, indicator: cell.indicator, period: cell.period)
            let status = cell.status ?? .final
            if let current = state.recordedOutturn(key)?.payload {
                if current.value == .number(cell.value), current.status == status { summary.unchanged += 1; continue }
                summary.revised += 1
            } else {
                summary.new += 1
            }
            // The n-th figure ever recorded for the key: stable across re-runs, never reused.
            let n = (state.outturns[key]?.count ?? 0) + 1
            var data = JSONObject([
                (cell.isPartnership ? "partnership" : "area", .string(cell.area)), ("indicator", .string(cell.indicator)),
                ("period", .string(cell.period.description)), ("value", .number(JSONNumber(literal: formatNumber(cell.value)) ?? JSONNumber(cell.value))),
            ])
            if let s = cell.status { data["status"] = .string(s.rawValue) }
            if let note = cell.note { data["note"] = .string(note) }
            let period = cell.period.description.split(separator: " ").joined(separator: "-") // ids have no spaces
            drafts.append(EventDraft(id: "\(source)/\(cell.area)/\(cell.indicator)/\(period)#\(n)", known: cell.known ?? known,
                                     type: "outturn.recorded", source: source, actor: actor, data: data))
            lines.append(cell.line)
        }
        return (drafts, lines, summary)
    }
}
