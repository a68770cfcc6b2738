// Property-style and point-in-time tests of the projections.
//
// A seeded generator builds random but valid histories (every event is checked with
// `LedgerState.validate` against the ledger so far, as the real append does), with
// revisions, backdated `known` dates, target changes, boards and retractions. The
// properties then compare whole derived views — status, progress, actions, compare rows
// and the audit trail — between replays that must agree: a replay continued from a
// checkpoint and one straight through; an as-of view before and after later knowledge
// arrives; a board's seal and the prefix it sealed; the replay and a naive reference fold.
import Testing
@testable import Projections
import LedgerModel
import EventLog

// MARK: - Seeded randomness

/// Helpers over EventLog's SplitMix64 (seeded, so every failure names a seed that reproduces it).
extension SplitMix64 {
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    /// Picks an index with the given weights.
    mutating func weighted(_ weights: [Int]) -> Int {
        var r = int(0...(weights.reduce(0, +) - 1))
        for (i, w) in weights.enumerated() {
            if r < w { return i }
            r -= w
        }
        return weights.count - 1
    }
    /// 64 lowercase hex digits, like a SHA-256.
    mutating func hex64() -> String {
        (0..<4).map { _ in
            let digits = String(next(), radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }
}

// MARK: - Calendar helpers

/// Days since 1970-01-01, by EventLog's calendar.
private func dayNumber(_ d: Day) -> Int {
    CalendarDate(year: d.year, month: d.month, day: d.day)!.daysSince1970
}

/// The day `n` days after 1970-01-01, by EventLog's calendar.
private func dayFromNumber(_ n: Int) -> Day {
    let c = CalendarDate(daysSince1970: n)
    return Day(year: c.year, month: c.month, day: c.day)!
}

private func day(_ text: String) -> Day { Day(iso: text)! }
private func period(_ text: String) -> Period { Period(text)! }

private let msPerDay: Int64 = 86_400_000

/// The log's RFC 3339 form with milliseconds: `2015-07-10T09:00:00.000Z`.
private func rfc3339(_ ms: Int64) -> String {
    Timestamp(millisecondsSince1970: ms).description
}

private func milliseconds(_ d: Day, hour: Int = 9) -> Int64 {
    Int64(dayNumber(d)) * msPerDay + Int64(hour) * 3_600_000
}

// MARK: - The vocabulary the generator draws on

private let partnershipIDs = ["lewisham", "southwark"]
/// Areas outturns are recorded for: mostly Lewisham, some Southwark, London as a comparator.
private let outturnAreas = ["lewisham", "lewisham", "lewisham", "southwark", "southwark", "london"]
private let mopacComponents = ["MOPAC7.burglary", "MOPAC7.robbery", "MOPAC7.vwi"]

private let catalogue: [IndicatorDefined] = [
    IndicatorDefined(indicator: "MOPAC7.burglary", name: "Burglary", unit: .count, polarity: .lowerBetter),
    IndicatorDefined(indicator: "MOPAC7.robbery", name: "Robbery", unit: .count, polarity: .lowerBetter),
    IndicatorDefined(indicator: "MOPAC7.vwi", name: "Violence with injury", unit: .count, polarity: .lowerBetter),
    IndicatorDefined(indicator: "MOPAC7", name: "MOPAC 7", unit: .count, polarity: .lowerBetter, composition: .sum(mopacComponents)),
    IndicatorDefined(indicator: "sd-rate", name: "Sanction detection rate", unit: .percent, polarity: .higherBetter),
    IndicatorDefined(indicator: "dv-repeat", name: "Repeat DV victims", unit: .count, polarity: .lowerBetter),
    IndicatorDefined(indicator: "dv-victims", name: "DV victims", unit: .count, polarity: .higherBetter),
    IndicatorDefined(indicator: "marac-repeat-rate", name: "MARAC repeat rate", unit: .percent, polarity: .band,
                     composition: .ratio(numerator: "dv-repeat", denominator: "dv-victims")),
    IndicatorDefined(indicator: "asb-rate", name: "ASB per 1,000", unit: .rate, polarity: .lowerBetter, per: 1000),
]
private let indicatorIDs = catalogue.map(\.indicator)
/// Outturns go mostly to the MOPAC components (so months add up to quarters and years).
private let outturnIndicators = mopacComponents + mopacComponents + mopacComponents + indicatorIDs

/// Months of 2014/15 and 2015/16: dense enough that some quarters and years are complete.
private let outturnMonths = (0..<24).map { Period.month(Month(year: 2014, month: 4)!.advanced(by: $0)) }
private let outturnYears = ["2013/14", "2014/15", "2015/16", "2016/17", "2017/18"].map(period)
private let outturnQuarters = ["2014/15 Q4", "2015/16 Q1", "2015/16 Q2", "2015/16 Q3"].map(period)
private let targetPeriods = ["2015/16", "2016/17", "2017/18", "2015/16 Q2", "2016", "2019/20"].map(period)
private let comparePeriods = ["2015/16", "2016/17", "2015/16 Q1", "2015-06"].map(period)
private let boardNames = ["csp-board", "exec-board", "safer-lewisham"]
private let sources = ["met-police", "mopac", "lewisham-council", "southwark-council", "probation"]
private let actors = ["feed:met-police", "analyst@lewisham.gov.uk", "importer", "officer@southwark.gov.uk"]

private extension String {
    /// "lewisham" → "Lewisham" (Foundation's `capitalized` without Foundation).
    var titleCased: String { prefix(1).uppercased() + dropFirst() }
}

// MARK: - The generator

/// Builds a random, valid history event by event: a candidate is kept only if
/// `LedgerState.validate` accepts it against the ledger so far.
private struct HistoryGenerator {
    var rng: SplitMix64
    let seed: UInt64
    var state = LedgerState()
    var events: [LedgerEvent] = []
    var recordedMs: Int64 = milliseconds(day("2014-06-02"))
    /// The latest `known` so far; a backdated event is known before it.
    var maxKnown = day("2014-06-02")
    let earliest = day("2013-04-01")
    var nextTarget = 1
    var nextAction = 1
    var nextBaseline = 1
    /// Rejected candidates (to keep the generator honest about its yield).
    var rejected = 0

    init(seed: UInt64) {
        self.seed = seed
        rng = SplitMix64(seed: seed)
    }

    var lastRecordedDay: Day { dayFromNumber(Int(recordedMs / msPerDay)) }

    /// Stamps the envelope and appends `event` if the ledger so far accepts it.
    /// `knownAfter`: every event appended is known after this day.
    @discardableResult
    mutating func append(_ event: DomainEvent, knownAfter: Day? = nil) -> Bool {
        do { try state.validate(event) } catch {
            rejected += 1
            return false
        }
        recordedMs += Int64(rng.int(60_000...(4 * 86_400_000)))
        var recordedDay = lastRecordedDay
        let known: Day
        if let after = knownAfter {
            if recordedDay <= after {
                recordedMs = Int64(dayNumber(after) + 1 + rng.int(0...3)) * msPerDay + Int64(rng.int(0...(86_399_999)))
                recordedDay = lastRecordedDay
            }
            known = rng.chance(0.6) ? recordedDay : dayFromNumber(rng.int((dayNumber(after) + 1)...dayNumber(recordedDay)))
        } else if rng.chance(0.15), earliest < maxKnown {
            // Backdated: known before events already in the ledger (migrated history, a late correction).
            known = dayFromNumber(rng.int(dayNumber(earliest)...(dayNumber(maxKnown) - 1)))
        } else if rng.chance(0.8) {
            known = recordedDay
        } else {
            known = dayFromNumber(max(dayNumber(maxKnown), dayNumber(recordedDay) - rng.int(0...3)))
        }
        maxKnown = max(maxKnown, known)
        let seq = events.count + 1
        let id = rng.chance(0.25) ? "\(rng.pick(sources))-\(seed)-\(seq)" : "ev-\(seed)-\(seq)"
        let e = LedgerEvent(seq: seq, id: id, recorded: recordedMs, recordedText: rfc3339(recordedMs), known: known,
                            source: rng.pick(sources), actor: rng.pick(actors),
                            prev: events.last?.hash ?? String(repeating: "0", count: 64), hash: rng.hex64(), event: event)
        state.apply(e)
        events.append(e)
        return true
    }

    /// The partnerships, indicators and plans, in a shuffled order (dependencies sort themselves out over passes).
    mutating func setUp() {
        var pending: [DomainEvent] = partnershipIDs.map {
            .partnershipRegistered(PartnershipRegistered(partnership: $0, name: $0.titleCased + " CSP", borough: $0))
        }
        pending += catalogue.map { .indicatorDefined($0) }
        pending += partnershipIDs.map {
            .planAdopted(PlanAdopted(partnership: $0, plan: "slp-\($0)", title: "Safer \($0.titleCased) Plan",
                                     from: period("2015/16"), to: period("2017/18"), version: "1"))
        }
        pending.shuffle(using: &rng)
        for _ in 0..<6 where !pending.isEmpty {
            pending = pending.filter { !append($0) }
        }
    }

    /// Appends `count` more random valid events. `hostile` favours revisions, retractions and withdrawals.
    mutating func extend(by count: Int, knownAfter: Day? = nil, hostile: Bool = false) {
        for _ in 0..<count {
            for _ in 0..<40 {
                if let candidate = candidate(hostile: hostile), append(candidate, knownAfter: knownAfter) { break }
            }
        }
    }

    // MARK: Candidates

    mutating func candidate(hostile: Bool) -> DomainEvent? {
        //            outturn revise baseline target revise withdraw action update board plan prio retract redefine
        let weights = hostile
            ? [8, 20, 2, 3, 10, 4, 2, 6, 2, 1, 1, 20, 1]
            : [30, 14, 4, 7, 5, 2, 4, 8, 3, 1, 2, 6, 1]
        switch rng.weighted(weights) {
        case 0: return newOutturn()
        case 1: return outturnRevision()
        case 2: return newBaseline()
        case 3: return newTarget()
        case 4: return targetRevision()
        case 5: return targetWithdrawal()
        case 6: return newAction()
        case 7: return actionUpdate()
        case 8: return board()
        case 9: return planRevision()
        case 10: return priorityChange()
        case 11: return retraction()
        default: return redefinition()
        }
    }

    mutating func outturnValue(indicator: String, period: Period) -> OutturnValue {
        let def = state.indicator(indicator) ?? catalogue.first { $0.indicator == indicator }!
        let scale = Double(period.monthCount)
        switch def.unit {
        case .count, .currency:
            if rng.chance(0.06) {
                return .change(Double(rng.int(-30...20)) / 100, against: period.sameTimeLastYear)
            }
            return .number(Double(rng.int(Int(8 * scale)...Int(60 * scale))))
        case .percent:
            if rng.chance(0.5) { return .number(Double(rng.int(0...1000)) / 10) }
            let d = Double(rng.int(20...400))
            return .ratio(numerator: Double(rng.int(0...Int(d))), denominator: d)
        case .rate, .ratio:
            return .ratio(numerator: Double(rng.int(0...300)), denominator: Double(rng.int(1000...30000)))
        }
    }

    mutating func outturnStatus() -> OutturnStatus {
        rng.pick([.provisional, .provisional, .final, .final, .final, .projected])
    }

    mutating func newOutturn() -> DomainEvent {
        let area = rng.pick(outturnAreas)
        let indicator = rng.pick(outturnIndicators)
        let p: Period
        switch rng.weighted([60, 10, 25, 5]) {
        case 0: p = rng.pick(outturnMonths)
        case 1: p = rng.pick(outturnQuarters)
        case 2: p = rng.pick(outturnYears)
        default: p = .calendarYear(rng.pick([2014, 2015]))
        }
        return .outturnRecorded(OutturnRecorded(area: area, isPartnership: area != "london", indicator: indicator, period: p,
                                                value: outturnValue(indicator: indicator, period: p), status: outturnStatus(),
                                                note: rng.chance(0.2) ? "feed batch \(rng.int(1...99))" : nil))
    }

    /// A second outturn for a key already recorded: a revision (provisional → final, or a corrected figure).
    mutating func outturnRevision() -> DomainEvent? {
        let keys = state.outturns.keys.sorted()
        guard !keys.isEmpty else { return nil }
        let key = rng.pick(keys)
        let previous = state.recordedOutturn(key)?.payload
        var value = outturnValue(indicator: key.indicator, period: key.period)
        var status = outturnStatus()
        if let previous {
            if previous.status == .provisional, rng.chance(0.6) { status = .final }
            if rng.chance(0.3) { value = previous.value }   // the same figure confirmed final
        }
        return .outturnRecorded(OutturnRecorded(area: key.area, isPartnership: key.area != "london", indicator: key.indicator,
                                                period: key.period, value: value, status: status,
                                                note: rng.chance(0.3) ? "revised" : nil))
    }

    mutating func baselineIDs(partnership: String, indicator: String) -> [String] {
        state.baselines.keys.sorted().filter {
            state.baseline($0)?.partnership == partnership && state.baseline($0)?.indicator == indicator
        }
    }

    mutating func newBaseline() -> DomainEvent {
        let p = rng.pick(partnershipIDs)
        let indicator = rng.pick(outturnIndicators)
        // Sometimes re-set an existing baseline (a baseline.set of the same id replaces it).
        let existing = baselineIDs(partnership: p, indicator: indicator)
        let id: String
        if !existing.isEmpty, rng.chance(0.3) { id = rng.pick(existing) } else {
            id = "bl-\(p)-\(nextBaseline)"
            nextBaseline += 1
        }
        let periods = rng.pick([["2013/14"], ["2014/15"], ["2013/14", "2014/15"], ["2014/15 Q4"]]).map(period)
        let method = rng.pick(BaselineMethod.allCases)
        let value: Double? = method == .value || rng.chance(0.2) ? Double(rng.int(100...800)) : nil
        return .baselineSet(BaselineSet(baseline: id, partnership: p, indicator: indicator, label: "Baseline \(periods[0])",
                                        periods: periods, method: method, value: value))
    }

    mutating func targetKind(partnership: String, indicator: String) -> TargetKind {
        let baselines = baselineIDs(partnership: partnership, indicator: indicator)
        let someBaseline = baselines.isEmpty ? "bl-\(partnership)-\(rng.int(1...9))" : rng.pick(baselines)
        switch rng.int(0...3) {
        case 0: return .value(Double(rng.int(10...700)))
        case 1:
            let against: Comparator? = rng.pick([nil, .period(period("2014/15")), .baseline(someBaseline)])
            return .direction(rng.pick(TargetDirection.allCases), against: against)
        case 2:
            let low = Double(rng.int(10...60))
            return .band(low: low, high: low + Double(rng.int(-5...40)))
        default:
            return .change(rng.pick([-0.2, -0.1, -0.05, 0.1, -1.5]), baseline: someBaseline,
                           from: rng.pick([nil, period("2015/16"), period("2015-06")]))
        }
    }

    mutating func newTarget() -> DomainEvent {
        let p = rng.pick(partnershipIDs)
        let indicator = rng.pick(indicatorIDs)
        let id = "t-\(nextTarget)"
        nextTarget += 1
        return .targetSet(TargetSet(target: id, partnership: p, indicator: indicator, period: rng.pick(targetPeriods),
                                    setBy: rng.pick(TargetSetter.allCases), kind: targetKind(partnership: p, indicator: indicator),
                                    tolerance: rng.pick([0.05, 0.05, 0.1, 0.0, 1.5]), stretch: rng.chance(0.15)))
    }

    mutating func targetRevision() -> DomainEvent? {
        let ids = state.targets.keys.sorted()
        guard !ids.isEmpty else { return nil }
        let id = rng.pick(ids)
        var r = TargetRevised(target: id, reason: "revised at board \(rng.int(1...20))")
        let old = state.target(id)?.target
        switch rng.int(0...8) {
        case 0: r.kind = TargetKindRevision(value: Double(rng.int(10...700)))
        case 1: r.tolerance = rng.pick([0.0, 0.05, 0.1, 0.2])
        case 2:
            let low = Double(rng.int(10...60))
            r.kind = TargetKindRevision(kind: "band", low: low, high: low + Double(rng.int(0...40)))
        case 3: r.period = rng.pick(targetPeriods)
        case 4: r.setBy = rng.pick(TargetSetter.allCases)
        case 5: r.stretch = rng.chance(0.5)
        case 6: r.kind = TargetKindRevision(kind: "value", value: Double(rng.int(10...700)))
        case 7: r.kind = TargetKindRevision(change: rng.pick([-0.25, -0.15, -0.1, 0.05]))
        default:
            let against: Comparator? = old.map { t in
                let baselines = baselineIDs(partnership: t.partnership, indicator: t.indicator)
                return baselines.isEmpty ? .period(period("2013/14")) : .baseline(rng.pick(baselines))
            }
            r.kind = TargetKindRevision(kind: "direction", direction: rng.pick(TargetDirection.allCases), against: against)
        }
        return .targetRevised(r)
    }

    mutating func targetWithdrawal() -> DomainEvent? {
        let ids = state.targets.keys.sorted()
        guard !ids.isEmpty else { return nil }
        return .targetWithdrawn(TargetWithdrawn(target: rng.pick(ids), reason: "superseded"))
    }

    mutating func newAction() -> DomainEvent {
        let p = rng.pick(partnershipIDs)
        let id = "A\(nextAction)"
        nextAction += 1
        let due: DateOrPeriod? = switch rng.int(0...3) {
        case 0: nil
        case 1: .period(rng.pick(["2015/16", "2016/17 Q2", "2016-09", "2017/18"].map(period)))
        default: .day(dayFromNumber(dayNumber(day("2015-01-01")) + rng.int(0...900)))
        }
        let priority = rng.chance(0.3) ? "p\(rng.int(1...3))" : nil
        return .actionCreated(ActionCreated(action: id, partnership: p, plan: rng.chance(0.95) ? "slp-\(p)" : "no-such-plan",
                                            title: "Action \(id)", leads: [rng.pick(["Police", "Council", "Probation"])],
                                            priority: priority, due: due, timescale: rng.chance(0.3) ? "Ongoing" : nil,
                                            resources: rng.chance(0.2) ? Resources(amount: 60000, currency: "GBP", per: "year", fund: "LCPF") : nil))
    }

    mutating func actionUpdate() -> DomainEvent? {
        let ids = state.actions.keys.sorted()
        guard !ids.isEmpty else { return nil }
        return .actionUpdated(ActionUpdated(action: rng.pick(ids), status: rng.pick(ActionStatus.allCases),
                                            progress: rng.chance(0.7) ? "activity to date \(rng.int(1...999))" : nil,
                                            quarter: rng.chance(0.5) ? rng.pick(outturnQuarters) : nil))
    }

    mutating func board() -> DomainEvent {
        let date: DateOrPeriod = rng.chance(0.8) ? .day(lastRecordedDay) : .period(rng.pick(outturnQuarters))
        return .boardHeld(BoardHeld(partnership: rng.pick(partnershipIDs), board: rng.pick(boardNames), date: date,
                                    decisions: rng.chance(0.5) ? ["noted the performance report"] : []))
    }

    mutating func planRevision() -> DomainEvent {
        let p = rng.pick(partnershipIDs)
        return .planRevised(PlanRevised(partnership: p, plan: "slp-\(p)", version: "\(rng.int(2...9))",
                                        title: rng.chance(0.5) ? "Safer \(p.titleCased) Plan (refreshed)" : nil, reason: "annual refresh"))
    }

    mutating func priorityChange() -> DomainEvent {
        let p = rng.pick(partnershipIDs)
        let priority = "p\(rng.int(1...3))"
        if rng.chance(0.7) {
            return .prioritySet(PrioritySet(partnership: p, plan: "slp-\(p)", priority: priority, title: "Priority \(priority)"))
        }
        return .priorityRetired(PriorityRetired(partnership: p, plan: "slp-\(p)", priority: priority, reason: "achieved"))
    }

    /// Retracts a random earlier event (validation refuses retractions and events already retracted).
    mutating func retraction() -> DomainEvent? {
        guard !events.isEmpty else { return nil }
        let preferred = events.filter { e in
            switch e.event {
            case .outturnRecorded, .targetSet, .targetRevised, .targetWithdrawn, .actionCreated, .actionUpdated, .boardHeld, .baselineSet: true
            default: false
            }
        }
        let e = rng.chance(0.85) && !preferred.isEmpty ? rng.pick(preferred) : rng.pick(events)
        let reference: EventReference = rng.chance(0.5) ? .seq(e.seq) : .id(e.id)
        return .eventRetracted(EventRetracted(event: reference, reason: "entered in error"))
    }

    /// Re-registers a partnership or redefines an indicator (valid only once the original was retracted).
    mutating func redefinition() -> DomainEvent {
        if rng.chance(0.2) {
            let p = rng.pick(partnershipIDs)
            return .partnershipRegistered(PartnershipRegistered(partnership: p, name: p.titleCased + " Safer Partnership"))
        }
        var def = rng.pick(catalogue)
        def.name += " (redefined)"
        return .indicatorDefined(def)
    }
}

/// A history of about `count` events for `seed` (after the set-up events).
private func history(seed: UInt64, count: Int) -> HistoryGenerator {
    var g = HistoryGenerator(seed: seed)
    g.setUp()
    g.extend(by: count)
    return g
}

// MARK: - Views

/// Every derived view of one replay, compared as a whole.
private struct Views: Equatable {
    var status: [StatusRow]
    var progress: [ProgressRow]
    var mopacProgress: [ProgressRow]
    var actions: [ActionRow]
    var compare: [CompareRow]
    var audit: [AuditEntry]

    init(_ state: LedgerState, audit: [AuditEntry], today: Day) {
        status = state.statusRows()
        progress = state.progressRows()
        mopacProgress = state.progressRows(setBy: .mopac)
        actions = state.actionRows(today: today)
        var compare: [CompareRow] = []
        for area in ["lewisham", "southwark", "london"] {
            for indicator in indicatorIDs {
                compare += state.compareRows(area: area, indicator: indicator, baseline: period("2014/15"), periods: [])
                compare += state.compareRows(area: area, indicator: indicator, baseline: period("2014/15 Q1"), periods: comparePeriods)
            }
        }
        self.compare = compare
        self.audit = audit
    }

    init(_ replay: Replay, today: Day) {
        self.init(replay.state, audit: replay.audit.entries, today: today)
    }

    /// Where two sets of views first differ, for a readable failure; nil when equal.
    func difference(from other: Views) -> String? {
        func first<T: Equatable>(_ name: String, _ a: [T], _ b: [T]) -> String? {
            guard a != b else { return nil }
            for (i, (x, y)) in zip(a, b).enumerated() where x != y {
                return "\(name)[\(i)] differs:\n    \(x)\n  vs\n    \(y)"
            }
            return "\(name): \(a.count) rows vs \(b.count) rows; first extra: \(a.count > b.count ? "\(a[b.count])" : "\(b[a.count])")"
        }
        return first("status", status, other.status) ?? first("progress", progress, other.progress)
            ?? first("mopacProgress", mopacProgress, other.mopacProgress) ?? first("actions", actions, other.actions)
            ?? first("compare", compare, other.compare) ?? first("audit", audit, other.audit)
    }
}

private func replay(_ events: some Sequence<LedgerEvent>, _ point: PointInTime = .now) -> Replay {
    var r = Replay(point)
    for e in events { r.feed(e) }
    return r
}

/// The naive reference: a plain `LedgerState` (and audit trail) folded over an already-filtered array.
private func naiveViews(_ events: [LedgerEvent], today: Day) -> Views {
    var state = LedgerState()
    var audit = AuditTrail()
    for e in events {
        audit.record(e, in: state)
        state.apply(e)
    }
    return Views(state, audit: audit.entries, today: today)
}

/// The day views "as of now" are judged on (for what is overdue).
private let referenceToday = day("2017-06-30")

/// Points in time worth looking at for a history: before anything, at and just before
/// some events' known dates (boundaries), random days, and after everything.
private func sampleDays(_ events: [LedgerEvent], rng: inout SplitMix64, count: Int) -> [Day] {
    let first = events.map(\.known).min()!, last = events.map(\.recordedDay).max()!
    var days: Set<Day> = [dayFromNumber(dayNumber(first) - 1), last]
    while days.count < count {
        let e = rng.pick(events)
        switch rng.int(0...2) {
        case 0: days.insert(e.known)
        case 1: days.insert(dayFromNumber(dayNumber(e.known) - 1))
        default: days.insert(dayFromNumber(rng.int(dayNumber(first)...dayNumber(last))))
        }
    }
    return days.sorted()
}

/// The latest period shaped like `reference` with a figure, found the plain way: every period with
/// data (or its reference-shaped period), latest first, the first with a figure — and how many were passed over.
private func latestFigureBySorting(_ state: LedgerState, area: String, indicator: String, like reference: Period?)
    -> (period: Period, figure: Figure, passedOver: Int)? {
    var candidates = state.periodsWithData(area: area, indicator: indicator)
    if let reference {
        candidates = Set(candidates.compactMap { p in
            p.monthCount == reference.monthCount ? p : p.monthCount < reference.monthCount ? reference.aligned(containing: p.last) : nil
        })
    }
    let latestFirst = candidates.sorted { ($0.last, $0.monthCount) > ($1.last, $1.monthCount) }
    for (i, p) in latestFirst.enumerated() {
        if let figure = state.figure(area: area, indicator: indicator, period: p) { return (p, figure, i) }
    }
    return nil
}

// MARK: - Tests

@Suite struct ReplayPropertyTests {
    static let seeds: [UInt64] = Array(1...30)

    // 1. The generator itself: valid, gapless, varied, and backdated about as often as intended.
    @Test func generatedHistoriesAreValidVariedAndBackdatedAboutOneInSeven() {
        var typesSeen: Set<String> = []
        var targetKinds: Set<String> = []
        var backdated = 0, total = 0
        var revisions = 0, provisionalToFinal = 0, retractions = 0, retractionsByID = 0, monthly = 0, yearly = 0, ratios = 0
        var lengths: [Int] = []
        for seed in Self.seeds {
            let events = history(seed: seed, count: 200).events
            lengths.append(events.count)
            var state = LedgerState()
            var maxKnown: Day?
            var ids: Set<String> = []
            for (i, e) in events.enumerated() {
                #expect(e.seq == i + 1, "seed \(seed): seq \(e.seq) at index \(i)")
                #expect(ids.insert(e.id).inserted, "seed \(seed): duplicate id \(e.id)")
                #expect(e.recordedText == rfc3339(e.recorded) && e.recordedDay == dayFromNumber(Int(e.recorded / msPerDay)))
                #expect(e.known <= e.recordedDay, "seed \(seed) seq \(e.seq): known \(e.known) after recorded \(e.recordedText)")
                #expect(e.prev == (i == 0 ? String(repeating: "0", count: 64) : events[i - 1].hash))
                if i > 0 {
                    #expect(events[i - 1].recorded <= e.recorded, "seed \(seed) seq \(e.seq): recorded went backwards")
                }
                do { try state.validate(e.event) } catch {
                    Issue.record("seed \(seed) seq \(e.seq) \(e.event.typeName) is invalid: \(error)")
                }
                if case .outturnRecorded(let o) = e.event {
                    let key = OutturnKey(area: o.area, indicator: o.indicator, period: o.period)
                    if let old = state.outturns[key]?.last {
                        revisions += 1
                        if old.payload.status == .provisional, o.status == .final { provisionalToFinal += 1 }
                    }
                    if o.period.kind == .month { monthly += 1 }
                    if o.period.kind == .financialYear || o.period.kind == .calendarYear { yearly += 1 }
                    if case .ratio = o.value { ratios += 1 }
                }
                if case .targetSet(let t) = e.event { targetKinds.insert(t.kind.name) }
                if case .eventRetracted(let r) = e.event {
                    retractions += 1
                    if case .id = r.event { retractionsByID += 1 }
                    let target = state.resolve(r.event)
                    #expect(target != nil && !state.retractionSeqs.contains(target!), "seed \(seed) seq \(e.seq) retracts a retraction")
                }
                if let m = maxKnown, e.known < m { backdated += 1 }
                maxKnown = max(maxKnown ?? e.known, e.known)
                total += 1
                typesSeen.insert(e.event.typeName)
                state.apply(e)
            }
        }
        #expect(Set(DomainEvent.typeNames) == typesSeen, "never generated: \(Set(DomainEvent.typeNames).subtracting(typesSeen).sorted())")
        #expect(targetKinds == Set(TargetKind.names))
        #expect(lengths.allSatisfy { (100...300).contains($0) }, "history lengths \(lengths)")
        let share = Double(backdated) / Double(total)
        #expect(share > 0.08 && share < 0.25, "backdated share \(share)")
        #expect(revisions > 200 && provisionalToFinal > 30 && monthly > 1000 && yearly > 300 && ratios > 100,
                "revisions \(revisions), provisional→final \(provisionalToFinal), monthly \(monthly), yearly \(yearly), ratios \(ratios)")
        // Retractions name their event by seq and by id, about half each.
        #expect(retractions > 80 && retractionsByID > retractions / 4 && retractionsByID < retractions * 3 / 4,
                "retractions \(retractions), by id \(retractionsByID)")
    }

    // 2. A replay is a pure fold: stopping at any event and carrying on (from a copy) changes nothing.
    @Test func replayingToAPointThenContinuingEqualsReplayingStraightThrough() {
        for seed in Self.seeds.prefix(4) {
            let events = history(seed: seed, count: 100).events
            var rng = SplitMix64(seed: seed ^ 0xC0FFEE)
            for point in [PointInTime.now, .asOf(sampleDays(events, rng: &rng, count: 4)[2])] {
                let today = point.viewDate ?? referenceToday
                let straight = Views(replay(events, point), today: today)
                var checkpoint = Replay(point)
                for n in 0...events.count {
                    if n > 0 { checkpoint.feed(events[n - 1]) }
                    // Every cut for .now; every third for the as-of replay (the run stays quick).
                    if case .asOf = point, n % 3 != 0 { continue }
                    let atCut = n % 10 == 0 ? Views(checkpoint, today: today) : nil
                    var continued = checkpoint
                    for e in events[n...] { continued.feed(e) }
                    if let diff = Views(continued, today: today).difference(from: straight) {
                        Issue.record("seed \(seed), \(point), cut after \(n) of \(events.count): \(diff)")
                        return
                    }
                    #expect(continued.skipped == events.count - continued.state.appliedCount)
                    // Continuing a copy leaves the checkpoint as it was (value semantics).
                    if let atCut, let diff = Views(checkpoint, today: today).difference(from: atCut) {
                        Issue.record("seed \(seed), cut \(n): continuing a copy changed the checkpoint: \(diff)")
                        return
                    }
                }
            }
        }
    }

    // 3. Knowledge that arrives after T never changes what was known at T.
    @Test func aViewAsOfTNeverChangesWhenEventsKnownAfterTAreAppended() {
        var appendedRetractionsOfEarlierKnowledge = 0
        for seed in Self.seeds.prefix(16) {
            let base = history(seed: seed, count: 150)
            var rng = SplitMix64(seed: seed ^ 0xA5A5)
            for t in sampleDays(base.events, rng: &rng, count: 5) {
                let before = replay(base.events, .asOf(t))
                let beforeViews = Views(before, today: t)
                var more = base
                more.rng = SplitMix64(seed: seed &* 31 &+ UInt64(dayNumber(t)))
                more.extend(by: 60, knownAfter: t, hostile: rng.chance(0.5))
                let appended = more.events[base.events.count...]
                #expect(appended.count >= 40, "seed \(seed): only \(appended.count) events appended after \(t)")
                #expect(appended.allSatisfy { $0.known > t && $0.known <= $0.recordedDay })
                for e in appended {
                    if case .eventRetracted(let r) = e.event, let s = more.state.resolve(r.event), more.events[s - 1].known <= t {
                        appendedRetractionsOfEarlierKnowledge += 1
                    }
                }
                let after = replay(more.events, .asOf(t))
                if let diff = Views(after, today: t).difference(from: beforeViews) {
                    Issue.record("seed \(seed), as of \(t), after appending \(appended.count) events known later: \(diff)")
                    return
                }
                #expect(after.skipped == before.skipped + appended.count)
                let diffRows = Diff.rows(from: before.state, to: after.state, todayA: t, todayB: t)
                #expect(diffRows.isEmpty, "seed \(seed), as of \(t): diff shows \(diffRows.prefix(3))")
            }
        }
        // The property is only interesting if later retractions did take back earlier knowledge.
        #expect(appendedRetractionsOfEarlierKnowledge > 40, "\(appendedRetractionsOfEarlierKnowledge)")
    }

    // 4. A board's seal shows what the ledger held when the board met, whatever came later.
    @Test func aBoardSealShowsExactlyThePrefixItSealed() {
        var boards = 0, boardsWithLaterRetractions = 0, boardsWithLaterBackdating = 0, boardsWithLaterRevisions = 0
        for seed in Self.seeds {
            let events = history(seed: seed, count: 150).events
            let full = replay(events)
            for record in full.state.boards {
                let seal = record.sealSeq
                let point = PointInTime.sealed(seq: seal, board: record.board.board, date: record.board.date)
                let today = record.board.date.lastDay
                #expect(point.viewDate == today)
                #expect(record.sealHash == events[seal - 1].hash, "seed \(seed): board at seq \(record.seq) seals the wrong head")
                var sealed = Replay(point)
                for e in events {
                    let more = sealed.feed(e)
                    #expect(more == (e.seq <= seal), "seed \(seed): feed of seq \(e.seq) with seal \(seal) returned \(more)")
                }
                let prefix = replay(events[..<seal])
                if let diff = Views(sealed, today: today).difference(from: Views(prefix, today: today)) {
                    Issue.record("seed \(seed), board \(record.board.board) at seq \(record.seq): \(diff)")
                    return
                }
                #expect(sealed.skipped == events.count - seal)
                boards += 1
                let later = events[record.seq...]
                if later.contains(where: { e in
                    if case .eventRetracted(let r) = e.event, let s = full.state.resolve(r.event) { return s <= seal }
                    return false
                }) { boardsWithLaterRetractions += 1 }
                if later.contains(where: { $0.known <= record.known }) { boardsWithLaterBackdating += 1 }
                if later.contains(where: { e in
                    guard case .outturnRecorded(let o) = e.event else { return false }
                    return events[..<seal].contains { old in
                        if case .outturnRecorded(let p) = old.event { return (p.area, p.indicator, p.period) == (o.area, o.indicator, o.period) }
                        return false
                    }
                }) { boardsWithLaterRevisions += 1 }
            }
        }
        #expect(boards > 60 && boardsWithLaterRetractions > 20 && boardsWithLaterBackdating > 20 && boardsWithLaterRevisions > 20,
                "boards \(boards), later retractions \(boardsWithLaterRetractions), backdating \(boardsWithLaterBackdating), revisions \(boardsWithLaterRevisions)")
    }

    // 5. The replay against a reference model: a naive fold over the filtered array, and, for
    //    outturns, the latest live revision worked out from the raw events.
    /// `latestFigure` keeps the four latest periods in one pass and sorts them all only when none of
    /// those has a figure: the same answer as sorting them from the start, for every
    /// area, indicator (composites and ratios too) and shape, in histories with revisions and retractions.
    @Test func theLatestFigureIsTheFirstWithOneAmongEveryPeriodLatestFirst() {
        let shapes: [Period?] = [nil, period("2015-06"), period("2015/16 Q1"), period("2015/16"), period("2016"),
                                 period("2015-01..2015-06")]
        var checked = 0, found = 0, pastTheLatest = 0, pastTheFourth = 0
        for seed in Self.seeds {
            let events = history(seed: seed, count: 200).events
            for cut in [events.count / 2, events.count] {
                let state = replay(events.prefix(cut)).state
                for area in Set(outturnAreas).sorted() {
                    for indicator in indicatorIDs {
                        for reference in shapes {
                            let expected = latestFigureBySorting(state, area: area, indicator: indicator, like: reference)
                            let latest = state.latestFigure(area: area, indicator: indicator, like: reference)
                            #expect(latest?.period == expected?.period && latest?.figure == expected?.figure,
                                    "seed \(seed), \(cut) events, \(area) \(indicator) like \(reference.map(\.description) ?? "any"): \(String(describing: latest)) against \(String(describing: expected))")
                            checked += 1
                            guard let expected else { continue }
                            found += 1
                            if expected.passedOver > 0 { pastTheLatest += 1 }
                            if expected.passedOver > 4 { pastTheFourth += 1 }
                        }
                    }
                }
            }
        }
        // Each path taken: the latest, one further back, and past the fourth (the sort).
        #expect(found > checked / 4 && pastTheLatest > 50 && pastTheFourth > 5,
                "\(checked) asked, \(found) found, \(pastTheLatest) past the latest, \(pastTheFourth) past the fourth")
    }

    @Test func asOfEqualsANaiveFoldOverTheFilteredArray() {
        var checkedKeys = 0, retractedChecks = 0
        for seed in Self.seeds {
            let events = history(seed: seed, count: 150).events
            let everything = replay(events).state
            var rng = SplitMix64(seed: seed ^ 0x5EED)
            for t in sampleDays(events, rng: &rng, count: 6) {
                var asOf = Replay(.asOf(t))
                for e in events {
                    // A later event may be backdated to before T, so an as-of replay never stops reading.
                    let more = asOf.feed(e)
                    #expect(more, "seed \(seed), as of \(t): feed of seq \(e.seq) (known \(e.known)) said stop reading")
                }
                let visible = events.filter { $0.known <= t }
                if let diff = Views(asOf, today: t).difference(from: naiveViews(visible, today: t)) {
                    Issue.record("seed \(seed), as of \(t): \(diff)")
                    return
                }
                // Reference for every outturn key: the last revision known by T that no retraction known by T took back.
                let retractedByT: Set<Int> = Set(visible.compactMap { e in
                    guard case .eventRetracted(let r) = e.event, let s = everything.resolve(r.event), events[s - 1].known <= t else { return nil }
                    return s
                })
                var byKey: [OutturnKey: [LedgerEvent]] = [:]
                for e in visible {
                    if case .outturnRecorded(let o) = e.event {
                        byKey[OutturnKey(area: o.area, indicator: o.indicator, period: o.period), default: []].append(e)
                    }
                }
                for key in byKey.keys.sorted() {
                    let revisions = byKey[key]!
                    let live = revisions.filter { !retractedByT.contains($0.seq) }
                    let row = asOf.state.compareRows(area: key.area, indicator: key.indicator, baseline: key.period.previous,
                                                     periods: [key.period])
                        .first { $0.indicator == key.indicator && $0.period == key.period }
                    guard let row else {
                        Issue.record("seed \(seed), as of \(t): no compare row for \(key)")
                        continue
                    }
                    func value(_ e: LedgerEvent) -> Double? {
                        guard case .outturnRecorded(let o) = e.event, let def = asOf.state.indicator(key.indicator) else { return nil }
                        switch o.value {
                        case .number(let v): return v
                        case .ratio(let n, let d): return def.unit == .percent ? 100 * n / d : def.unit == .rate ? n / d * (def.per ?? 1) : n / d
                        case .change: return nil
                        }
                    }
                    if let latest = live.last {
                        #expect(row.value == value(latest), "seed \(seed), as of \(t), \(key): compare shows \(String(describing: row.value)), the latest live revision (seq \(latest.seq)) is \(String(describing: value(latest)))")
                        checkedKeys += 1
                    } else if key.period.kind == .month, asOf.state.indicator(key.indicator)?.composition == Composition.none {
                        // Nothing live and nothing to build it from: no value at all.
                        #expect(row.value == nil, "seed \(seed), as of \(t), \(key): every revision is retracted, yet compare shows \(String(describing: row.value))")
                        checkedKeys += 1
                    }
                    // A retracted revision's value shows only if a live revision has the same value.
                    for gone in revisions where retractedByT.contains(gone.seq) {
                        retractedChecks += 1
                        guard let v = value(gone), row.value == v else { continue }
                        #expect(live.contains { value($0) == v } || live.isEmpty && key.period.kind != .month,
                                "seed \(seed), as of \(t), \(key): retracted seq \(gone.seq)'s value \(v) still shows")
                    }
                }
                // Action rows against the raw events: the last live creation, the last live update, and
                // overdue exactly when the due date's last day is before T and the action is still open.
                var created: [String: ActionCreated] = [:], updated: [String: LedgerEvent] = [:]
                for e in visible where !retractedByT.contains(e.seq) {
                    if case .actionCreated(let a) = e.event { created[a.action] = a }
                    if case .actionUpdated(let u) = e.event { updated[u.action] = e }
                }
                let expectedActions = created.keys.sorted().map { id -> (String, ActionStatus, Bool, String?, Day?) in
                    var status = ActionStatus.notStarted, progress: String?
                    if case .actionUpdated(let u)? = updated[id]?.event { (status, progress) = (u.status, u.progress) }
                    let overdue = !status.isClosed && (created[id]!.due.map { $0.lastDay < t } ?? false)
                    return (id, status, overdue, progress, updated[id]?.known)
                }
                let actualActions = asOf.state.actionRows(today: t).map { ($0.action, $0.status, $0.overdue, $0.lastUpdate, $0.lastUpdateKnown) }
                #expect(actualActions.elementsEqual(expectedActions, by: ==), "seed \(seed), as of \(t): actions \(actualActions) vs reference \(expectedActions)")
                let overdueOnly = asOf.state.actionRows(today: t, overdueOnly: true).map(\.action)
                #expect(overdueOnly == expectedActions.filter(\.2).map(\.0))

                // The status rows agree with the same reference where their latest period was recorded directly.
                for row in asOf.state.statusRows() {
                    guard let p = row.period, case .recorded(let seq, _)? = asOf.state.figure(area: row.partnership, indicator: row.indicator, period: p)?.source else { continue }
                    #expect(!retractedByT.contains(seq), "seed \(seed), as of \(t): status \(row.partnership)/\(row.indicator) shows retracted seq \(seq)")
                    let key = OutturnKey(area: row.partnership, indicator: row.indicator, period: p)
                    #expect(byKey[key]?.filter { !retractedByT.contains($0.seq) }.last?.seq == seq,
                            "seed \(seed), as of \(t): status \(key) shows seq \(seq), not the latest live revision")
                }
            }
        }
        #expect(checkedKeys > 3000 && retractedChecks > 300, "\(checkedKeys) outturn keys, \(retractedChecks) retracted revisions checked")
    }

    // 5b. Retraction is removal, for every view but the audit trail (which keeps both).
    @Test func retractingAnEventEqualsNeverHavingRecordedItInEveryViewButTheAudit() {
        for seed in Self.seeds.prefix(20) {
            let events = history(seed: seed, count: 150).events
            let full = replay(events)
            let state = full.state
            let gone = Set(state.retracted.keys).union(state.retractionSeqs)
            let withoutRetracted = replay(events.filter { !gone.contains($0.seq) })
            var a = Views(full, today: referenceToday)
            var b = Views(withoutRetracted, today: referenceToday)
            (a.audit, b.audit) = ([], [])
            if let diff = a.difference(from: b) {
                Issue.record("seed \(seed): \(diff)")
                return
            }
        }
    }

    @Test func aStatusRowDoesNotOutliveTheRetractionOfItsOnlyOutturn() {
        // Lewisham keys a sanction detection rate by mistake, then retracts it.
        let events = handWritten([
            ("2015-04-01", "2015-04-01", .partnershipRegistered(PartnershipRegistered(partnership: "lewisham", name: "Safer Lewisham"))),
            ("2015-04-01", "2015-04-01", .indicatorDefined(catalogue[4])),
            ("2015-07-10", "2015-07-10", .outturnRecorded(OutturnRecorded(area: "lewisham", indicator: "sd-rate", period: period("2015-06"), value: .number(31)))),
            ("2015-07-11", "2015-07-11", .eventRetracted(EventRetracted(event: .seq(3), reason: "keyed against the wrong indicator"))),
        ])
        let rows = replay(events).state.statusRows()
        let neverRecorded = replay(events.prefix(2)).state.statusRows()
        #expect(neverRecorded.isEmpty)
        // The same through a composite: a retracted burglary figure also conjures a MOPAC 7 row.
        let composite = handWritten(
            [("2015-04-01", "2015-04-01", .partnershipRegistered(PartnershipRegistered(partnership: "lewisham", name: "Safer Lewisham")))]
                + catalogue.prefix(4).map { ("2015-04-01", "2015-04-01", DomainEvent.indicatorDefined($0)) }
                + [("2015-07-10", "2015-07-10", .outturnRecorded(OutturnRecorded(area: "lewisham", indicator: "MOPAC7.burglary", period: period("2015-06"), value: .number(40)))),
                   ("2015-07-11", "2015-07-11", .eventRetracted(EventRetracted(event: .id("hand-6"), reason: "wrong borough")))])
        let compositeRows = replay(composite).state.statusRows()
        #expect(replay(composite.prefix(5)).state.statusRows().isEmpty)
        #expect(rows == neverRecorded, "after the retraction status still shows \(rows)")
        #expect(compositeRows.map(\.indicator) == [], "after the retraction status still shows rows for \(compositeRows.map(\.indicator))")
    }

    // 6. One outturn's life, read on every day of it.
    @Test func aProvisionalOutturnRevisedTwiceThenRetractedReadsRightOnEveryDay() {
        let q1 = period("2015/16 Q1")
        func outturn(_ v: Double, _ status: OutturnStatus) -> DomainEvent {
            .outturnRecorded(OutturnRecorded(area: "lewisham", indicator: "MOPAC7.burglary", period: q1, value: .number(v), status: status))
        }
        // (known, recorded day, event): the 104 revision and the retraction are entered a few days after they were known.
        let events = handWritten([
            ("2015-04-01", "2015-04-01", .partnershipRegistered(PartnershipRegistered(partnership: "lewisham", name: "Safer Lewisham"))),
            ("2015-04-01", "2015-04-01", .planAdopted(PlanAdopted(partnership: "lewisham", plan: "slp", title: "Safer Lewisham Plan",
                                                                  from: period("2015/16"), to: period("2017/18")))),
            ("2015-04-01", "2015-04-02", .indicatorDefined(catalogue[0])),
            ("2015-04-02", "2015-04-02", .targetSet(TargetSet(target: "burglary-local", partnership: "lewisham", indicator: "MOPAC7.burglary",
                                                              period: period("2015/16"), setBy: .local, kind: .value(102)))),
            ("2015-07-10", "2015-07-10", outturn(100, .provisional)),
            ("2015-08-10", "2015-08-14", outturn(104, .provisional)),
            ("2015-09-10", "2015-09-10", outturn(103, .final)),
            ("2015-10-10", "2015-10-12", .eventRetracted(EventRetracted(event: .seq(7), reason: "final figure keyed twice"))),
        ])
        var validating = LedgerState()
        for e in events {
            #expect(throws: Never.self) { try validating.validate(e.event) }
            validating.apply(e)
        }

        struct Expected: Equatable {
            var value: Double?
            var source: String?
            var rag: RAG
            var audit: [String]
        }
        let subject = "lewisham/MOPAC7.burglary/2015/16 Q1"
        let first = "– → 100 (provisional)"
        let second = "100 (provisional) → 104 (provisional)"
        let third = "104 (provisional) → 103 (final)"
        let retraction = "103 (final) → retracted seq 7: final figure keyed twice"
        func expected(on d: Day) -> Expected {
            switch d {
            case ..<day("2015-07-10"): Expected(value: nil, source: nil, rag: .noData, audit: [])
            case ..<day("2015-08-10"): Expected(value: 100, source: "provisional", rag: .green, audit: [first])
            case ..<day("2015-09-10"): Expected(value: 104, source: "provisional", rag: .amber, audit: [first, second])
            case ..<day("2015-10-10"): Expected(value: 103, source: "final", rag: .amber, audit: [first, second, third])
            default: Expected(value: 104, source: "provisional", rag: .amber, audit: [first, second, third, retraction])
            }
        }
        let changeDays: Set<Day> = ["2015-07-10", "2015-08-10", "2015-09-10", "2015-10-10"].map(day).reduce(into: []) { $0.insert($1) }

        var previous: Replay?
        var previousDay: Day?
        for n in dayNumber(day("2015-07-01"))...dayNumber(day("2015-10-31")) {
            let d = dayFromNumber(n)
            let r = replay(events, .asOf(d))
            let rows = r.state.statusRows()
            #expect(rows.count == 1, "\(d): \(rows.count) status rows")
            guard let row = rows.first else { continue }
            let trail = r.audit.entries.filter { $0.subject == subject }
            let actual = Expected(value: row.value, source: row.figureSource, rag: row.rag,
                                  audit: trail.map { "\($0.before ?? "–") → \($0.after ?? "–")" })
            #expect(actual == expected(on: d), "as of \(d)")
            #expect(row.period == (row.value == nil ? nil : q1), "as of \(d)")
            #expect(row.target == "value 102 by 2015/16" && row.targetID == "burglary-local")
            // The 103 revision is marked as retracted (by seq 8) only once the retraction is known.
            let third = trail.first { $0.seq == 7 }
            #expect(third?.retractedBy == (d >= day("2015-10-10") ? 8 : nil), "as of \(d)")
            #expect(trail.map(\.backdated) == [false, true, false, true].prefix(trail.count).map { $0 }, "as of \(d)")
            // Day to day, the diff moves the status value exactly on the four days something became known.
            if let previous, let previousDay {
                let diff = Diff.rows(from: previous.state, to: r.state, todayA: previousDay, todayB: d)
                let valueChange = diff.filter { $0.view == "status" && $0.field == "value" }
                if changeDays.contains(d) {
                    #expect(valueChange == [DiffRow(view: "status", key: "lewisham/MOPAC7.burglary", field: "value",
                                                    from: expected(on: previousDay).value.map(formatNumber),
                                                    to: expected(on: d).value.map(formatNumber))], "as of \(d)")
                } else {
                    #expect(diff.isEmpty, "as of \(d): \(diff)")
                }
            }
            previous = r
            previousDay = d
        }
        // Now (everything) reads like the last day; as recorded, the retraction only counts from the 12th.
        #expect(Views(replay(events), today: day("2015-10-31")) == Views(replay(events, .asOf(day("2015-10-31"))), today: day("2015-10-31")))
        #expect(replay(events, .recorded(day("2015-10-11"))).state.statusRows().first?.value == 103)
        #expect(replay(events, .recorded(day("2015-10-12"))).state.statusRows().first?.value == 104)
        #expect(replay(events, .recorded(day("2015-08-13"))).state.statusRows().first?.value == 100)
    }
}

/// Events built by hand: (known, recorded day, event), recorded at 09:00 plus a minute per seq.
private func handWritten(_ specs: [(String, String, DomainEvent)]) -> [LedgerEvent] {
    var events: [LedgerEvent] = []
    for (i, (known, recorded, event)) in specs.enumerated() {
        let ms = milliseconds(day(recorded)) + Int64(i) * 60000
        let hash = String(repeating: "0", count: 64 - String(i + 1).count) + String(i + 1)
        events.append(LedgerEvent(seq: i + 1, id: "hand-\(i + 1)", recorded: ms, recordedText: rfc3339(ms), known: day(known),
                                  source: "lewisham-council", actor: "analyst", prev: events.last?.hash ?? String(repeating: "0", count: 64),
                                  hash: hash, event: event))
    }
    return events
}
