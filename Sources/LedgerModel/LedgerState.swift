/// One event's contribution to an entity's history.
public struct Entry<Payload: Sendable>: Sendable {
    public var seq: Int
    public var known: Day
    public var payload: Payload

    public init(seq: Int, known: Day, payload: Payload) { (self.seq, self.known, self.payload) = (seq, known, payload) }
}

extension Entry: Equatable where Payload: Equatable {}

/// What a target's history can hold.
public enum TargetChange: Sendable, Equatable {
    case set(TargetSet)
    case revised(TargetRevised)
    case withdrawn(TargetWithdrawn)
}

/// What a plan's history can hold.
public enum PlanChange: Sendable, Equatable {
    case adopted(PlanAdopted)
    case revised(PlanRevised)
}

/// What a priority's history can hold.
public enum PriorityChange: Sendable, Equatable {
    case set(PrioritySet)
    case retired(PriorityRetired)
}

/// The key of one outturn figure: an area, an indicator, a period.
public struct OutturnKey: Hashable, Sendable, Comparable {
    public var area: String
    public var indicator: String
    public var period: Period
    public init(area: String, indicator: String, period: Period) {
        (self.area, self.indicator, self.period) = (area, indicator, period)
    }
    public static func < (a: OutturnKey, b: OutturnKey) -> Bool {
        (a.area, a.indicator, a.period) < (b.area, b.indicator, b.period)
    }
}

/// A board meeting and its seal: the head of the ledger just before it was recorded.
public struct BoardRecord: Sendable, Equatable {
    public var seq: Int
    public var known: Day
    public var board: BoardHeld
    /// The seq the board could have known: everything before its own event.
    public var sealSeq: Int { seq - 1 }
    /// The hash of the sealed head (the board event's `prev`).
    public var sealHash: String

    public init(seq: Int, known: Day, board: BoardHeld, sealHash: String) {
        (self.seq, self.known, self.board, self.sealHash) = (seq, known, board, sealHash)
    }
}

/// The ledger folded event by event: every entity with its full history, so that any
/// view — and the effect of a retraction — can be derived from it.
///
/// A pure value: `apply` is the only way in. "Current" always means "the last live
/// entry", where live excludes events retracted so far. Memory grows with the events
/// kept per entity; see the Scale issue for compaction.
public struct LedgerState: Sendable {
    public private(set) var head = 0
    public private(set) var partnerships: [String: [Entry<PartnershipRegistered>]] = [:]
    public private(set) var plans: [String: [Entry<PlanChange>]] = [:]          // key: partnership/plan
    public private(set) var priorities: [String: [Entry<PriorityChange>]] = [:] // key: partnership/plan/priority
    public private(set) var indicators: [String: [Entry<IndicatorDefined>]] = [:]
    public private(set) var baselines: [String: [Entry<BaselineSet>]] = [:]
    public private(set) var targets: [String: [Entry<TargetChange>]] = [:]
    /// Every outturn, by area, indicator and period (see ``outturns`` for them as one dictionary).
    public private(set) var outturnTable = OutturnTable()
    public private(set) var actions: [String: [Entry<ActionCreated>]] = [:]
    public private(set) var actionUpdates: [String: [Entry<ActionUpdated>]] = [:]
    public private(set) var boards: [BoardRecord] = []
    /// Retracted seq → the seq of the retraction.
    public private(set) var retracted = SeqMap()
    /// Every event id seen → its seq (for retraction by id).
    public private(set) var eventIDs = EventIDs()
    /// Ids of the events folded in from a checkpoint without hashing them (its outturns):
    /// consulted only when a retraction names an id ``eventIDs`` does not hold.
    public var deferredIDs: DeferredEventIDs?
    /// Seqs of retraction events (a retraction is never itself retracted).
    public private(set) var retractionSeqs = SeqMembers()
    /// Which seqs have been applied (a point in time may skip some).
    private var applied = AppliedSeqs()
    /// How many events have been applied.
    public private(set) var appliedCount = 0
    /// Areas whose outturns are counted (applied, and retractable) but not kept: a view of one
    /// partnership never reads another partnership's figures, which are most of a London-wide
    /// ledger. Set before anything is folded; see ``countLeftOut(_:through:)``.
    public var outturnAreasLeftOut: Set<String> = []
    /// When set, the only indicators whose outturns a checkpoint's fold keeps (of every area it
    /// keeps): a view of one indicator never reads the others' figures. Those after the
    /// checkpoint are kept whatever their indicator. Set before anything is folded.
    public var outturnIndicatorsKept: Set<String>?
    /// The events of a checkpoint a view of one partnership counted as applied without marking
    /// each (see ``countLeftOut(_:through:)``): where a retraction looks up whether one was.
    public var leftOutApplied: LeftOutSeqs?
    /// Targets, actions and baselines (`target:<id>`, `action:<id>`, `baseline:<id>`) whose events
    /// a view of one partnership left out as another partnership's: it must read none of them (see
    /// `viewsOf` in Projections, which folds again keeping everything if it would — so a subject
    /// taken for one left out, which a ``SubjectSet`` allows once in 2^100, costs only that).
    public var subjectsLeftOut = SubjectSet()

    public init() {}

    public static func planKey(_ partnership: String, _ plan: String) -> String { "\(partnership)/\(plan)" }
    public static func priorityKey(_ partnership: String, _ plan: String, _ priority: String) -> String {
        "\(partnership)/\(plan)/\(priority)"
    }

    /// Makes room for `events` more events, so folding in a large batch does not rehash the
    /// growing tables over and over; `byType` (event type name → how many of the events are of
    /// it) makes room for the entities they may add too.
    public mutating func reserveCapacity(events: Int, byType: [String: Int] = [:]) {
        eventIDs.reserveCapacity(events)
        applied.reserveCapacity(upTo: head + events, count: events)
        func room<Value>(_ table: inout [String: Value], for type: String) {
            if let more = byType[type], more > 0 { table.reserveCapacity(table.count + more) }
        }
        room(&partnerships, for: "partnership.registered")
        room(&plans, for: "plan.adopted")
        room(&priorities, for: "priority.set")
        room(&indicators, for: "indicator.defined")
        room(&baselines, for: "baseline.set")
        room(&targets, for: "target.set")
        room(&actions, for: "action.created")
        room(&actionUpdates, for: "action.updated")
    }

    /// Makes room for marking seqs up to `seq` applied, all of them: a fold of a whole checkpoint
    /// knows its last, and growing the table by doubling copied it over and over.
    public mutating func reserveSeqs(upTo seq: Int) {
        applied.reserveCapacity(upTo: seq, count: seq)
    }

    /// Folds one event in. Events must come in seq order; the caller decides which to skip
    /// (e.g. those known after an as-of date) — skipping is how a point-in-time view is made.
    public mutating func apply(_ e: LedgerEvent) {
        apply(e, retracting: nil)
    }

    /// Folds one event in, as `apply(_:)` does; for a retraction, `retracting` is the seq it
    /// was found to retract when the whole log was folded (a checkpoint keeps it; 0 when it
    /// found none), which counts only if that event has been applied here too — exactly what
    /// resolving its reference among the applied events gives, since ids are unique and a
    /// retraction follows its target.
    public mutating func apply(_ e: LedgerEvent, retracting knownTarget: Int?) {
        markApplied(e.seq)
        eventIDs.insert(e.idKey, seq: e.seq)
        func entry<P>(_ payload: P) -> Entry<P> { Entry(seq: e.seq, known: e.known, payload: payload) }
        switch e.event {
        case .partnershipRegistered(let p): partnerships[p.partnership, default: []].append(entry(p))
        case .planAdopted(let p): plans[Self.planKey(p.partnership, p.plan), default: []].append(entry(.adopted(p)))
        case .planRevised(let p): plans[Self.planKey(p.partnership, p.plan), default: []].append(entry(.revised(p)))
        case .prioritySet(let p):
            priorities[Self.priorityKey(p.partnership, p.plan, p.priority), default: []].append(entry(.set(p)))
        case .priorityRetired(let p):
            priorities[Self.priorityKey(p.partnership, p.plan, p.priority), default: []].append(entry(.retired(p)))
        case .indicatorDefined(let i): indicators[i.indicator, default: []].append(entry(i))
        case .baselineSet(let b): baselines[b.baseline, default: []].append(entry(b))
        case .targetSet(let t): targets[t.target, default: []].append(entry(.set(t)))
        case .targetRevised(let t): targets[t.target, default: []].append(entry(.revised(t)))
        case .targetWithdrawn(let t): targets[t.target, default: []].append(entry(.withdrawn(t)))
        case .outturnRecorded(let o): addOutturn(entry(o))
        case .actionCreated(let a): actions[a.action, default: []].append(entry(a))
        case .actionUpdated(let u): actionUpdates[u.action, default: []].append(entry(u))
        case .boardHeld(let b): boards.append(BoardRecord(seq: e.seq, known: e.known, board: b, sealHash: e.prev))
        case .eventRetracted(let r):
            retractionSeqs.insert(e.seq)
            let target = knownTarget.map { isApplied($0) ? $0 : nil } ?? resolve(r.event)
            if let target { retracted[target] = e.seq }
        }
    }

    /// Folds in an outturn as `apply(_:)` folds the whole event (see ``OutturnEvent``).
    public mutating func apply(_ o: OutturnEvent) {
        markApplied(o.seq)
        eventIDs.insert(o.idKey, seq: o.seq)
        guard outturnAreasLeftOut.isEmpty || !outturnAreasLeftOut.contains(o.series.area) else { return }
        outturnTable.append(o)
    }

    /// Folds in, for one area and indicator, outturns a checkpoint keeps, grouped by period
    /// (each period's entries in seq order): what `apply(_:)` would do with each, without
    /// hashing their ids (they are among ``deferredIDs``). Entries for different keys touch
    /// nothing in common, so keys may come in any order; an event that refers to one of them
    /// (a retraction) must come after.
    ///
    /// (Outturns of an area in ``outturnAreasLeftOut`` are not brought here: see ``countLeftOut(_:through:)``.)
    public mutating func applyOutturns(area: String, indicator: String, _ runs: [(period: Period, entries: [Entry<OutturnRecorded>])]) {
        for run in runs {
            for entry in run.entries { markApplied(entry.seq) }
            outturnTable.append(area: area, indicator: indicator, period: run.period, run.entries)
        }
    }

    /// Folds in the retractions a checkpoint keeps, for a view of one partnership, as
    /// `apply(_:retracting:)` folds them, from their seqs (rising) and what each retracts in the
    /// whole log (0: nothing), without their lines — after every event they may retract. They are not
    /// marked applied one by one: the caller counts them with the rest left out
    /// (``countLeftOut(_:through:)``), and ``leftOutApplied`` holds them.
    public mutating func applyRetractions(_ retractions: [(seq: Int, target: Int)]) {
        retractionSeqs.reserveCapacity(retractionSeqs.count + retractions.count)
        retracted.reserveCapacity(retracted.count + retractions.count)
        for (seq, target) in retractions {
            retractionSeqs.insert(seq)
            if target > 0, isApplied(target) { retracted[target] = seq }
        }
    }

    /// Counts as applied `count` events of a checkpoint that a view of one partnership left out
    /// (the outturns of areas in ``outturnAreasLeftOut``: most of a London-wide ledger's million;
    /// other partnerships' targets, actions and the rest), without marking each. `last`: the
    /// latest seq among them. ``leftOutApplied`` says which they are, for a retraction that names one.
    public mutating func countLeftOut(_ count: Int, through last: Int) {
        appliedCount += count
        head = max(head, last)
    }

    private mutating func markApplied(_ seq: Int) {
        head = max(head, seq)
        applied.insert(seq)
        appliedCount += 1
    }

    private mutating func addOutturn(_ entry: Entry<OutturnRecorded>) {
        guard outturnAreasLeftOut.isEmpty || !outturnAreasLeftOut.contains(entry.payload.area) else { return }
        outturnTable.append(entry)
    }

    private func isApplied(_ seq: Int) -> Bool {
        applied.contains(seq) || leftOutApplied?.contains(seq) == true
    }

    /// The seq an event reference points to, if that event has been applied.
    public func resolve(_ reference: EventReference) -> Int? {
        switch reference {
        case .seq(let seq): isApplied(seq) ? seq : nil
        case .id(let id): eventIDs.seq(of: id) ?? deferredIDs?.seq(of: id).flatMap { isApplied($0) ? $0 : nil }
        }
    }

    public func isLive(_ seq: Int) -> Bool { retracted[seq] == nil }

    /// The entries not retracted so far.
    public func live<P>(_ entries: [Entry<P>]?) -> [Entry<P>] {
        guard let entries else { return [] }
        // A closure over the retractions alone: one over `self` copies the whole state (a retain of
        // each of its tables) on each call; views make millions of these calls.
        let retracted = retracted
        return retracted.isEmpty ? entries : entries.filter { retracted[$0.seq] == nil }
    }

    /// The last entry not retracted so far: `live(entries).last`, without building the list
    /// (views ask this of every indicator, target and action, many times over).
    public func lastLive<P>(_ entries: [Entry<P>]?) -> Entry<P>? {
        guard let entries else { return nil }
        let retracted = retracted
        return retracted.isEmpty ? entries.last : entries.last { retracted[$0.seq] == nil }
    }

    // MARK: - Current values

    public func partnership(_ id: String) -> PartnershipRegistered? { lastLive(partnerships[id])?.payload }

    public func indicator(_ id: String) -> IndicatorDefined? { lastLive(indicators[id])?.payload }

    public func baseline(_ id: String) -> BaselineSet? { lastLive(baselines[id])?.payload }

    public func action(_ id: String) -> ActionCreated? { lastLive(actions[id])?.payload }

    public func latestUpdate(of action: String) -> Entry<ActionUpdated>? { lastLive(actionUpdates[action]) }

    /// The plan as adopted and revised so far (title and version updated by revisions).
    public func plan(_ partnership: String, _ plan: String) -> PlanAdopted? {
        var current: PlanAdopted?
        for change in live(plans[Self.planKey(partnership, plan)]) {
            switch change.payload {
            case .adopted(let p): current = p
            case .revised(let r):
                if let title = r.title { current?.title = title }
                if let version = r.version { current?.version = version }
            }
        }
        return current
    }

    /// The priority if it is set and not retired.
    public func priority(_ partnership: String, _ plan: String, _ priority: String) -> PrioritySet? {
        guard case .set(let p)? = lastLive(priorities[Self.priorityKey(partnership, plan, priority)])?.payload else { return nil }
        return p
    }

    /// A target's state: nil if never set (or its setting retracted).
    public func target(_ id: String) -> (target: TargetSet, withdrawn: Bool)? {
        var current: TargetSet?
        var withdrawn = false
        for change in live(targets[id]) {
            switch change.payload {
            case .set(let t): current = t; withdrawn = false
            case .revised(let r): current = current.map(r.applied)
            case .withdrawn: withdrawn = true
            }
        }
        return current.map { ($0, withdrawn) }
    }

    /// Every outturn kept, by key, each key's in seq order: built on each call from
    /// ``outturnTable`` (for tests and tools; views look up the keys they need).
    public var outturns: [OutturnKey: [Entry<OutturnRecorded>]] { outturnTable.dictionary }

    /// The live recorded outturn for a key (the latest revision), if any.
    public func recordedOutturn(_ key: OutturnKey) -> Entry<OutturnRecorded>? {
        let retracted = retracted
        return outturnTable.latest(key) { retracted[$0] == nil }.entry
    }

    /// The value, seq and status of the live recorded outturn (``recordedOutturn(_:)``) for a
    /// period of a series found once (``OutturnTable/series(area:indicator:)``), without making the
    /// entry: for a view asking of many periods of one area's indicator (the months of a year).
    public func recordedValue(_ series: OutturnTable.SeriesID, _ period: Period) -> (seq: Int, value: OutturnValue, status: OutturnStatus)? {
        let retracted = retracted
        return outturnTable.latestValue(series, period) { retracted[$0] == nil }
    }

    /// The figure recorded for `key` now (as ``recordedOutturn(_:)``), and how many were ever
    /// recorded for it, retracted ones too: one lookup, for an import judging each cell.
    public func outturnHistory(_ key: OutturnKey) -> (current: OutturnRecorded?, count: Int) {
        let retracted = retracted
        let found = outturnTable.latest(key) { retracted[$0] == nil }
        return (found.entry?.payload, found.count)
    }

    /// Whether the area has a live outturn of the indicator, for any period.
    public func hasLiveOutturn(area: String, indicator: String) -> Bool {
        let retracted = retracted
        return outturnTable.hasAny(area: area, indicator: indicator) { retracted[$0] == nil }
    }

    /// Every area with outturns, and the indicators with outturns in it.
    public var outturnAreas: [String: Set<String>] { outturnTable.indicatorsByArea }

    /// Live board records named `name`, oldest first.
    public func boards(named name: String) -> [BoardRecord] {
        boards.filter { $0.board.board == name && isLive($0.seq) }
    }
}
