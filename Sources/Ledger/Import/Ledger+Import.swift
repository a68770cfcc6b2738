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
    /// ledger as it is then. `known` applies to cells that do not carry their own. A feed script
    /// imports once per run, so the state is not kept for a next append: validation folds in
    /// only what it reads, which makes the one import quicker.
    public func importFeed(_ feed: Feed, source: String, actor: String, known: CalendarDate?, dryRun: Bool = false,
                           lockTimeout: Double? = 30) throws(LedgerError) -> ImportSummary {
        if dryRun {
            // Everything but the write: the same plan, validated the same way.
            let state = try replay().replay.state
            let (batch, summary) = Ledger.plan(feed, against: state, source: source, actor: actor, known: known)
            try Ledger.validate(batch.drafts, from: state, lines: batch.lines, decoded: batch.events)
            return summary
        }
        var summary = ImportSummary()
        let result = try appendValidated(lockTimeout: lockTimeout, keepsState: false) { state in
            let plan = Ledger.plan(feed, against: state, source: source, actor: actor, known: known)
            summary = plan.summary
            return plan.batch
        }
        summary.appended = result.outcomes.count { !$0.existing }
        releaseInBackground(consume result)
        return summary
    }

    /// The events that bring the ledger up to the feed: definitions first, then each new or changed
    /// figure — as drafts, and as the typed events they encode (see ``typedOutturn(_:number:period:)``).
    static func plan(_ feed: Feed, against state: LedgerState, source: String, actor: String, known: CalendarDate?)
        -> (batch: PreparedBatch, summary: ImportSummary) {
        var summary = ImportSummary()
        var definitions = PreparedBatch()
        for definition in feed.definitions where state.indicator(definition.indicator) == nil {
            definitions.drafts.append(EventDraft(id: "\(source)/indicator/\(definition.indicator)", known: known, type: "indicator.defined",
                                                 source: source, actor: actor, data: JSONObject([
                                                     ("indicator", .string(definition.indicator)), ("name", .string(definition.name)),
                                                     ("unit", .string("count")), ("polarity", .string("lower-better")),
                                                 ])))
            definitions.events.append(typedDefinition(definition))
            definitions.lines.append(definition.line)
            summary.indicatorsDefined += 1
        }
        // The cells are judged against the state, which nothing changes meanwhile: on every core
        // at once, each core's drafts then moved into place after the definitions.
        let cells = feed.cells
        let parts = concurrentChunks(count: cells.count, minimumPerChunk: 8192) { range in
            planCells(cells[range], against: state, source: source, actor: actor, known: known)
        }
        for part in parts {
            summary.new += part.summary.new
            summary.revised += part.summary.revised
            summary.unchanged += part.summary.unchanged
        }
        let batch = PreparedBatch(drafts: MovableRun.joined(definitions.drafts, parts.map(\.drafts)),
                                  events: MovableRun.joined(definitions.events, parts.map(\.events)),
                                  lines: MovableRun.joined(definitions.lines, parts.map(\.lines)))
        return (batch, summary)
    }

    /// A run of cells' drafts, typed events and input lines, and what they add up to.
    private struct PlannedCells: Sendable {
        var drafts: MovableRun<EventDraft>
        var events: MovableRun<DomainEvent?>
        var lines: MovableRun<Int>
        var summary = ImportSummary()

        init(capacity: Int) {
            drafts = MovableRun(capacity: capacity)
            events = MovableRun(capacity: capacity)
            lines = MovableRun(capacity: capacity)
        }
    }

    /// The drafts for a run of cells: one per cell whose figure is new or differs from the state's.
    private static func planCells(_ cells: ArraySlice<Feed.Cell>, against state: LedgerState, source: String, actor: String,
                                  known: CalendarDate?) -> PlannedCells {
        var planned = PlannedCells(capacity: cells.count)
        var periods = PeriodTexts()
        // Cells come row by row, an area's and indicator's periods together: their ids share a
        // prefix, and the area and indicator are checked once for the run.
        var run = (area: "", indicator: "", idPrefix: "", namesAreValid: false)
        // Read in place: copying each cell out would retain and release its strings.
        cells.withUnsafeBufferPointer { cells in
            for position in cells.indices {
                let cell = UnsafePointer(cells.baseAddress! + position) // .pointee reads in place
                let key = OutturnKey(area: cell.pointee.area, indicator: cell.pointee.indicator, period: cell.pointee.period)
                let status = cell.pointee.status ?? .final
                let history = state.outturnHistory(key)
                if let current = history.current {
                    if current.value == .number(cell.pointee.value), current.status == status { planned.summary.unchanged += 1; continue }
                    planned.summary.revised += 1
                } else {
                    planned.summary.new += 1
                }
                let period = periods.text(cell.pointee.period, column: cell.pointee.column)
                // The n-th figure ever recorded for the key: stable across re-runs, never reused.
                let n = history.count + 1
                let (value, readsAs) = numberLiteral(cell.pointee.value)
                var data = JSONObject(uniqueEntries: [
                    (cell.pointee.isPartnership ? "partnership" : "area", .string(cell.pointee.area)),
                    ("indicator", .string(cell.pointee.indicator)), ("period", .string(period.text)), ("value", .number(value)),
                ])
                if let s = cell.pointee.status { data["status"] = .string(s.rawValue) }
                if let note = cell.pointee.note { data["note"] = .string(note) }
                if run.area != cell.pointee.area || run.indicator != cell.pointee.indicator {
                    let (area, indicator) = (cell.pointee.area, cell.pointee.indicator)
                    run = (area, indicator, "\(source)/\(area)/\(indicator)/", namesAreValid(cell.pointee))
                }
                let id = joined(run.idPrefix, period.idText, n == 1 ? "#1" : "#\(n)")
                planned.drafts.append(EventDraft(id: id, known: cell.pointee.known ?? known,
                                                 type: "outturn.recorded", source: source, actor: actor, data: data))
                planned.events.append(run.namesAreValid ? typedOutturn(cell.pointee, number: readsAs, period: period) : nil)
                planned.lines.append(cell.pointee.line)
            }
        }
        return planned
    }

    /// `a + b + c`, built in one allocation (appending allocates again as the string grows).
    static func joined(_ a: String, _ b: String, _ c: String) -> String {
        let (x, y, z) = (a.utf8.count, b.utf8.count, c.utf8.count)
        return String(unsafeUninitializedCapacity: x + y + z) { buffer in
            _ = buffer.initialize(fromContentsOf: a.utf8)
            _ = buffer[x...].initialize(fromContentsOf: b.utf8)
            _ = buffer[(x + y)...].initialize(fromContentsOf: c.utf8)
            return x + y + z
        }
    }

    /// A figure as the event writes it — an integer's digits (a count's, almost always), else the
    /// shortest form that reads back as exactly the value — and the number decoding it gives.
    static func numberLiteral(_ value: Double) -> (literal: JSONNumber, readsAs: Double) {
        if value == value.rounded(), abs(value) < 1e15 { return (JSONNumber(Int(value)), Double(Int(value))) }
        let literal = JSONNumber(literal: formatNumber(value)) ?? JSONNumber(value)
        return (literal, literal.double)
    }

    /// The text of each period a feed names, rendered (and checked) once: a feed names few
    /// periods many times. A wide file has one period per column, so the column's last one is
    /// looked at before the table.
    struct PeriodTexts {
        private var table: [Period: PeriodText] = [:]
        private var byColumn: [(period: Period, text: PeriodText)?] = []

        mutating func text(_ period: Period, column: Int) -> PeriodText {
            if column < byColumn.count, let last = byColumn[column], last.period == period { return last.text }
            let text = table[period] ?? PeriodText(period)
            table[period] = text
            if (0..<10_000).contains(column) {
                if column >= byColumn.count { byColumn += repeatElement(nil, count: column + 1 - byColumn.count) }
                byColumn[column] = (period, text)
            }
            return text
        }
    }

    /// A period as an event names it, and as an id names it (ids have no spaces).
    struct PeriodText {
        var text: String
        var idText: String
        /// Whether the text reads back as the period (as decoding the event will read it).
        var readsBack: Bool

        init(_ period: Period) {
            text = period.description
            idText = text.contains(" ") ? text.split(separator: " ").joined(separator: "-") : text
            readsBack = Period(text) == period
        }
    }

    /// Whether strict decoding accepts the cell's area and indicator.
    static func namesAreValid(_ cell: Feed.Cell) -> Bool {
        EventDecoder.isSlug(cell.area) && !cell.indicator.isEmpty && EventDecoder.isIdentifier(cell.indicator)
    }

    /// The event a definition's draft encodes, when strict decoding would accept the draft;
    /// nil leaves the draft to be decoded, and rejected with the decoder's own message.
    static func typedDefinition(_ definition: Feed.Definition) -> DomainEvent? {
        guard !definition.indicator.isEmpty, EventDecoder.isIdentifier(definition.indicator), !definition.name.isEmpty else { return nil }
        return .indicatorDefined(IndicatorDefined(indicator: definition.indicator, name: definition.name, unit: .count, polarity: .lowerBetter))
    }

    /// The event a cell's draft encodes (with `number` what its value's literal reads as), when strict decoding
    /// would accept the draft — the same checks, field for field; nil leaves the draft to be
    /// decoded, and rejected with the decoder's own message.
    /// (The cell's area and indicator are checked by ``namesAreValid(_:)``, once for a run of cells.)
    static func typedOutturn(_ cell: Feed.Cell, number: Double, period: PeriodText) -> DomainEvent? {
        guard period.readsBack, number.isFinite, cell.note?.isEmpty != true else { return nil }
        return .outturnRecorded(OutturnRecorded(area: cell.area, isPartnership: cell.isPartnership, indicator: cell.indicator,
                                                period: cell.period, value: .number(number), status: cell.status ?? .final,
                                                note: cell.note))
    }
}
