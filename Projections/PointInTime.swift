import LedgerModel

/// Which events a view counts: the same fold, stopped or filtered at a point.
public enum PointInTime: Sendable, Equatable, CustomStringConvertible {
    /// Everything in the ledger.
    case now
    /// Events the partnership knew by the end of this day (`known ≤ T`), as the ledger holds them now.
    case asOf(Day)
    /// Events the ledger itself had recorded by the end of this day (`recorded ≤ T`).
    case recorded(Day)
    /// Events up to and including this seq: a board's seal.
    case sealed(seq: Int, board: String, date: DateOrPeriod)

    /// Whether the event counts in the view.
    public func includes(_ event: LedgerEvent) -> Bool {
        includes(seq: event.seq, known: event.known, recordedDay: event.recordedDay)
    }

    /// Whether an event with this seq, known date and recorded date counts in the view:
    /// decided from the envelope alone, so a replay need not decode what it leaves out.
    public func includes(seq: Int, known: Day, recordedDay: Day) -> Bool {
        switch self {
        case .now: true
        case .asOf(let day): known <= day
        case .recorded(let day): recordedDay <= day
        case .sealed(let sealSeq, _, _): seq <= sealSeq
        }
    }

    /// Whether every later event is excluded once one is (so a replay may stop reading).
    public func isPastTheEnd(_ event: LedgerEvent) -> Bool {
        isPastTheEnd(seq: event.seq, recordedDay: event.recordedDay)
    }

    public func isPastTheEnd(seq: Int, recordedDay: Day) -> Bool {
        switch self {
        case .now, .asOf: false
        case .recorded(let day): recordedDay > day
        case .sealed(let sealSeq, _, _): seq > sealSeq
        }
    }

    /// The date a view is "as of", for deciding what is overdue; nil means today.
    public var viewDate: Day? {
        switch self {
        case .now: nil
        case .asOf(let day), .recorded(let day): day
        case .sealed(_, _, let date): date.lastDay
        }
    }

    public var description: String {
        switch self {
        case .now: "now (everything recorded)"
        case .asOf(let day): "as known on \(day)"
        case .recorded(let day): "as recorded by \(day)"
        case .sealed(let seq, let board, let date): "board \(board) on \(date) (sealed at seq \(seq))"
        }
    }
}

/// One replay pass feeding every projection: the ledger state and the audit trail.
///
/// A view at a point in time is this same fold with ``PointInTime/includes(_:)``
/// deciding which events count — never a second code path.
public struct Replay: Sendable {
    public let pointInTime: PointInTime
    public private(set) var state = LedgerState()
    public private(set) var audit = AuditTrail()
    /// Whether the audit trail is built (views that do not show it skip its cost).
    public let isAuditing: Bool
    /// Events the point in time left out.
    public private(set) var skipped = 0

    public init(_ pointInTime: PointInTime = .now, auditing: Bool = true) {
        self.pointInTime = pointInTime
        self.isAuditing = auditing
    }

    /// Counts an event the point in time leaves out, without its payload (the reader judged it
    /// from its envelope). Returns false once no later event can count.
    public mutating func skip(pastTheEnd: Bool) -> Bool {
        skipped += 1
        return !pastTheEnd
    }

    /// Folds one event in if the point in time counts it. Returns false once no later event can count.
    @discardableResult
    public mutating func feed(_ event: LedgerEvent) -> Bool {
        feed(event, retracting: nil)
    }

    /// As `feed(_:)`; for a retraction, `retracting` is the seq it was found to retract when
    /// the whole log was folded (see ``LedgerState/apply(_:retracting:)``).
    @discardableResult
    public mutating func feed(_ event: LedgerEvent, retracting: Int?) -> Bool {
        guard pointInTime.includes(event) else {
            skipped += 1
            return !pointInTime.isPastTheEnd(event)
        }
        if isAuditing { audit.record(event, in: state) }
        state.apply(event, retracting: retracting)
        return true
    }

    /// As `feed(_:)`, for an outturn reduced to what the fold reads (see ``OutturnEvent``). Not for a
    /// replay that audits: the audit trail records whole events.
    public mutating func feed(_ o: OutturnEvent) -> Bool {
        precondition(!isAuditing, "an auditing replay folds whole events")
        guard pointInTime.includes(seq: o.seq, known: o.known, recordedDay: o.recordedDay) else {
            skipped += 1
            return !pointInTime.isPastTheEnd(seq: o.seq, recordedDay: o.recordedDay)
        }
        state.apply(o)
        return true
    }

    /// Folds in a checkpoint's outturns for one area and indicator (see
    /// ``LedgerState/applyOutturns(area:indicator:_:)``): the caller has judged each by the point
    /// in time. Not for a replay that audits: the audit trail needs whole events in seq order.
    public mutating func feedOutturns(area: String, indicator: String, _ runs: [(period: Period, entries: [Entry<OutturnRecorded>])]) {
        precondition(!isAuditing, "an auditing replay folds whole events in seq order")
        state.applyOutturns(area: area, indicator: indicator, runs)
    }

    /// Leaves the outturns of `areas` out of the state, counting them still (see
    /// ``LedgerState/outturnAreasLeftOut``): for a view of one partnership. Before anything is fed.
    public mutating func leaveOutOutturns(ofAreas areas: Set<String>) {
        precondition(state.appliedCount == 0, "areas are left out before the fold starts")
        state.outturnAreasLeftOut = areas
    }

    /// Keeps, of a checkpoint's outturns, only those of `indicators` (see
    /// ``LedgerState/outturnIndicatorsKept``): for a view of one indicator. Before anything is fed.
    public mutating func keepOutturns(ofIndicators indicators: Set<String>) {
        precondition(state.appliedCount == 0, "indicators are chosen before the fold starts")
        state.outturnIndicatorsKept = indicators
    }

    /// Says which of a checkpoint's events a view of one partnership counts without folding
    /// them (see ``LedgerState/leftOutApplied``): before any retraction is fed.
    public mutating func leaveOut(seqs: LeftOutSeqs) {
        state.leftOutApplied = seqs
    }

    /// Folds in a checkpoint's retractions that the point in time counts, for a view of one
    /// partnership, from the index, after every event they may retract: `target` is what each
    /// retracts in the whole log (0: nothing) (see ``LedgerState/applyRetractions(_:)``).
    public mutating func feedRetractions(_ retractions: [(seq: Int, target: Int)]) {
        state.applyRetractions(retractions)
    }

    /// Counts events of a checkpoint that a view of one partnership leaves out, which the point
    /// in time counts, without their seqs (see ``LedgerState/countLeftOut(_:through:)``).
    public mutating func feedLeftOut(_ count: Int, through last: Int) {
        state.countLeftOut(count, through: last)
    }

    /// Notes the targets, actions and baselines (`target:<id>`, `action:<id>`, `baseline:<id>`) whose events a view of one
    /// partnership left out (see ``LedgerState/subjectsLeftOut``).
    public mutating func leaveOut(subjects: SubjectSet) {
        state.subjectsLeftOut.formUnion(subjects)
    }

    /// Makes room for about `events` more events (see ``LedgerState/reserveCapacity(events:)``).
    public mutating func reserveCapacity(events: Int) {
        state.reserveCapacity(events: events)
    }

    /// Makes room for marking seqs up to `seq` applied (see ``LedgerState/reserveSeqs(upTo:)``).
    public mutating func reserveSeqs(upTo seq: Int) {
        state.reserveSeqs(upTo: seq)
    }

    /// Counts events the caller judged the point in time to leave out.
    public mutating func countSkipped(_ count: Int) {
        skipped += count
    }

    /// Where the ids of events folded in without theirs can be looked up.
    public mutating func deferIDs(_ ids: DeferredEventIDs) {
        state.deferredIDs = ids
    }
}
